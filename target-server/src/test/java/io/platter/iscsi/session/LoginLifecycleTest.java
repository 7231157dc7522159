package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.iscsi.pdu.TextResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What happens to a session between the last login response and full feature phase, and the
 * bounds of the login phase (issue 14: session leak, reinstatement against a live nexus, unbounded
 * continued text; issue 21 findings 8 and 12), with raw login PDUs on pipelines like IscsiServer's.
 */
class LoginLifecycleTest {
    static final long ISID = 0x0002_3d00_0001L;

    private final List<Initiator> initiators = new ArrayList<>();

    private Initiator connect(Server server) {
        Initiator i = new Initiator(server);
        initiators.add(i);
        return i;
    }

    @AfterEach
    void finish() {
        initiators.forEach(Initiator::finish);
    }

    /** Holds every close of {@code i}'s channel until {@link #run} (a connection slow to go away). */
    private static final class HeldClose extends ChannelOutboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private ChannelPromise promise;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (this.ctx == null) {
                this.ctx = ctx;
                this.promise = promise;
            } else {
                ctx.close(promise);
            }
        }

        boolean held() {
            return ctx != null;
        }

        void run() {
            ctx.close(promise);
        }
    }

    private static LoginRequest finalLogin(long isid, String... keys) {
        return new LoginRequest(true, false, 1, 3, 0, 0, isid, 0, 0x10, 0, 1, 0,
                Initiator.text(Initiator.keys(keys)));
    }

    @Test
    void aSessionWhoseConnectionDiesDuringTheHandoverIsUnregistered() {
        Server server = new Server();
        Initiator old = connect(server);
        assertThat(old.login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
        HeldClose held = new HeldClose();
        old.ch.pipeline().addFirst(held);
        // The same initiator and ISID again: reinstatement, which waits for the old session to go.
        Initiator next = connect(server);
        next.send(finalLogin(ISID, "InitiatorName", Initiator.INITIATOR, "TargetName", Server.TARGET));
        assertThat(held.held()).isTrue();
        assertThat(next.responses()).as("not admitted while the old session is still there").isEmpty();
        next.ch.close(); // the new connection dies during the handover
        held.run();
        old.ch.runPendingTasks();
        next.ch.runPendingTasks();
        assertThat(server.sessions.all()).as("no session without a connection stays registered").isEmpty();
    }

    /**
     * Holds the teardown of a logged-in connection (its full feature handler's channelInactive,
     * where the session's nexus loss is signalled) until {@link #run}: on a real event loop that
     * teardown runs in a later task than the one completing the close promise.
     */
    private static final class HeldTeardown extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final FullFeatureHandler handler;
        private final ChannelHandlerContext handlerContext;
        private boolean held;

        HeldTeardown(Initiator i) {
            handler = (FullFeatureHandler) i.ch.pipeline().get("session");
            handlerContext = i.ch.pipeline().context("session");
            i.ch.pipeline().addBefore("session", "held-teardown", this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            held = true;
        }

        void run() {
            assertThat(held).isTrue();
            handler.channelInactive(handlerContext);
        }
    }

    @Test
    void reinstatementAdmitsTheNewSessionOnlyAfterTheOldOneIsTornDown() {
        Server server = new Server();
        Initiator old = connect(server);
        assertThat(old.login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
        HeldTeardown teardown = new HeldTeardown(old);
        Initiator next = connect(server);
        next.send(finalLogin(ISID, "InitiatorName", Initiator.INITIATOR, "TargetName", Server.TARGET));
        // Before: admitted on the old channel's close promise, ahead of the old session's nexus
        // loss, which then cleared the new session's unit attentions and SPC-2 reservation.
        assertThat(old.ch.isOpen()).isFalse();
        assertThat(next.responses()).as("no answer before the old session's teardown").isEmpty();
        teardown.run();
        old.ch.runPendingTasks();
        LoginResponse r = next.only(LoginResponse.class);
        r.release();
        assertThat(r.statusClass()).isZero();
        assertThat(server.sessions.all()).singleElement().satisfies(s -> {
            assertThat(s.tsih()).isEqualTo(r.tsih());
            assertThat(s.connections()).hasSize(1);
        });
    }

    @Test
    void textContinuedPastTheBoundFailsTheLogin() {
        Server server = new Server();
        Initiator i = connect(server);
        byte[] chunk = ("X-Never-Ending=" + "a".repeat(8 * 1024 - 15)).getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        while (sent + chunk.length <= server.limits.maxTextLength()) {
            i.send(new LoginRequest(false, true, 1, 0, 0, 0, ISID, 0, 0x10, 0, 1, 0, Unpooled.wrappedBuffer(chunk)));
            LoginResponse partial = i.only(LoginResponse.class);
            partial.release();
            assertThat(partial.statusClass()).isZero();
            sent += chunk.length;
        }
        i.send(new LoginRequest(false, true, 1, 0, 0, 0, ISID, 0, 0x10, 0, 1, 0, Unpooled.wrappedBuffer(chunk)));
        LoginResponse refused = i.only(LoginResponse.class);
        refused.release();
        assertThat(refused.statusClass()).isEqualTo(2);
        assertThat(refused.statusDetail()).isZero();
        assertThat(i.ch.isOpen()).isFalse();
    }

    @Test
    void textContinuedPastTheBoundInFullFeaturePhaseIsRejectedAndCloses() {
        Server server = new Server();
        Initiator i = connect(server);
        assertThat(i.login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
        byte[] chunk = ("X-Never-Ending=" + "a".repeat(8 * 1024 - 15)).getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n * chunk.length <= server.limits.maxTextLength(); n++) {
            i.send(new TextRequest(true, false, true, 0, 0x20, Bhs.RESERVED_TAG, 2, i.statSn + 1,
                    Unpooled.wrappedBuffer(chunk)));
        }
        List<Pdu> out = i.responses();
        try {
            assertThat(out).last().isInstanceOf(io.platter.iscsi.pdu.Reject.class);
            assertThat(out.subList(0, out.size() - 1)).allMatch(p -> p instanceof TextResponse);
        } finally {
            out.forEach(Pdu::release);
        }
        assertThat(i.ch.isOpen()).isFalse();
    }

    @Test
    void theInitiatorNameCannotChangeAfterTheFirstRequest() {
        // Issue 21 finding 12: the ACL was checked against the first name, the session named by the last.
        for (String[] change : new String[][] {
                {"InitiatorName", "iqn.1994-05.com.redhat:other"},
                {"SessionType", "Discovery"},
                {"TargetName", "iqn.2024-01.io.platter:other"}}) {
            Server server = new Server();
            Initiator i = connect(server);
            i.send(new LoginRequest(true, false, 0, 1, 0, 0, ISID, 0, 0x10, 0, 1, 0, Initiator.text(Initiator.keys(
                    "InitiatorName", Initiator.INITIATOR, "TargetName", Server.TARGET, "AuthMethod", "None"))));
            LoginResponse first = i.only(LoginResponse.class);
            first.release();
            assertThat(first.statusClass()).isZero();
            i.send(new LoginRequest(true, false, 1, 3, 0, 0, ISID, 0, 0x11, 0, 1, 0,
                    Initiator.text(Initiator.keys(change))));
            LoginResponse r = i.only(LoginResponse.class);
            r.release();
            assertThat(r.statusClass()).as(change[0]).isEqualTo(2);
            assertThat(r.statusDetail()).as(change[0]).isZero();
            assertThat(server.sessions.all()).isEmpty();
        }
    }

    @Test
    void theSameDeclarationMayBeRepeated() {
        Server server = new Server();
        Initiator i = connect(server);
        i.send(new LoginRequest(true, false, 0, 1, 0, 0, ISID, 0, 0x10, 0, 1, 0, Initiator.text(Initiator.keys(
                "InitiatorName", Initiator.INITIATOR, "TargetName", Server.TARGET, "AuthMethod", "None"))));
        i.only(LoginResponse.class).release();
        i.send(new LoginRequest(true, false, 1, 3, 0, 0, ISID, 0, 0x11, 0, 1, 0, Initiator.text(Initiator.keys(
                "InitiatorName", Initiator.INITIATOR.toUpperCase(), "SessionType", "Normal"))));
        LoginResponse r = i.only(LoginResponse.class);
        r.release();
        assertThat(r.statusClass()).isZero();
    }

    private static LoginResponse discoveryLogin(Initiator i, long isid, String name) {
        i.send(finalLogin(isid, "InitiatorName", name, "SessionType", "Discovery"));
        LoginResponse r = i.only(LoginResponse.class);
        r.release();
        return r;
    }

    @Test
    void discoverySessionsDoNotCountAgainstTheInitiatorName() {
        // Issue 21 finding 8: discovery sessions named like a victim locked its real login out.
        Server server = new Server(ServerLimits.defaults().withSessions(4, 256, 2));
        for (int n = 0; n < 3; n++) {
            assertThat(discoveryLogin(connect(server), ISID + 1 + n, Initiator.INITIATOR).statusClass()).isZero();
        }
        assertThat(connect(server).login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
        assertThat(connect(server).login(Server.TARGET, ISID + 10, 0, 1, 1).statusClass()).isZero();
        LoginResponse third = connect(server).login(Server.TARGET, ISID + 11, 0, 1, 1);
        assertThat(third.statusClass()).as("normal sessions still count").isEqualTo(3);
        assertThat(third.statusDetail()).isEqualTo(2);
    }

    @Test
    void anIdleDiscoverySessionIsClosedWhateverNopOutsItSends() {
        Server server = new Server(ServerLimits.defaults().withKeepAlive(Duration.ofSeconds(100),
                Duration.ofSeconds(200)).withDiscoveryIdleTimeout(Duration.ofSeconds(5)));
        Initiator i = connect(server);
        i.ch.freezeTime();
        assertThat(discoveryLogin(i, ISID, Initiator.INITIATOR).statusClass()).isZero();
        idle(i, 4);
        i.send(new io.platter.iscsi.pdu.NopOut(true, 0x30, Bhs.RESERVED_TAG, 0, 2, i.statSn + 1,
                Unpooled.EMPTY_BUFFER));
        i.drain();
        idle(i, 2);
        assertThat(i.ch.isOpen()).as("a NOP-Out is not a request").isFalse();

        Initiator asking = connect(server);
        asking.ch.freezeTime();
        assertThat(discoveryLogin(asking, ISID + 1, Initiator.INITIATOR).statusClass()).isZero();
        idle(asking, 4);
        ByteBuf st = Initiator.text(Initiator.keys("SendTargets", "All"));
        asking.send(new TextRequest(true, true, false, 0, 0x31, Bhs.RESERVED_TAG, 2, asking.statSn + 1, st));
        asking.drain();
        idle(asking, 4);
        assertThat(asking.ch.isOpen()).as("a Text request restarts the timer").isTrue();
        idle(asking, 2);
        assertThat(asking.ch.isOpen()).isFalse();
    }

    private static void idle(Initiator i, int seconds) {
        i.ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        i.ch.runScheduledPendingTasks();
        i.ch.runPendingTasks();
    }
}

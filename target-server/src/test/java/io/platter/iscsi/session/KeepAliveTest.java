package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.iscsi.pdu.Pdu;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NOP-In keep-alives and the dead-connection timeout (RFC 7143 §11.18-19, §7.1.4.1). */
class KeepAliveTest {
    private final Server server = new Server(ServerLimits.defaults()
            .withKeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(30)));
    private Initiator initiator;

    @BeforeEach
    void login() {
        initiator = new Initiator(server);
        initiator.ch.freezeTime();
        assertThat(initiator.login(Server.TARGET, 0x0002_3d00_0001L, 0, 1, 1).statusClass()).isZero();
    }

    @AfterEach
    void finish() {
        initiator.finish();
    }

    private void idle(int seconds) {
        initiator.ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        initiator.ch.runScheduledPendingTasks();
    }

    @Test
    void idleConnectionIsPingedWithAFreshTargetTransferTag() {
        idle(9);
        assertThat(initiator.responses()).as("no ping before the interval").isEmpty();
        idle(2);
        NopIn ping = initiator.only(NopIn.class);
        assertThat(ping.itt()).isEqualTo(Bhs.RESERVED_TAG);
        assertThat(ping.ttt()).isNotEqualTo(Bhs.RESERVED_TAG);
        assertThat(ping.statSn()).as("a ping carries, but does not advance, StatSN")
                .isEqualTo(initiator.statSn + 1);
        ping.release();
        // The initiator echoes the TTT with ITT 0xffffffff and I=1: no answer, the connection lives.
        initiator.send(new NopOut(true, 0, Bhs.RESERVED_TAG, ping.ttt(), 1, ping.statSn(), Unpooled.EMPTY_BUFFER));
        assertThat(initiator.responses()).isEmpty();
        idle(25);
        assertThat(initiator.ch.isOpen()).isTrue();
        // The next ping after another idle interval has another tag.
        NopIn second = initiator.only(NopIn.class);
        assertThat(second.ttt()).isNotEqualTo(ping.ttt());
        second.release();
    }

    @Test
    void silentPeerIsClosedAfterTheTimeout() {
        idle(11);
        initiator.drain();
        idle(11);
        initiator.drain();
        assertThat(initiator.ch.isOpen()).isTrue();
        idle(11);
        initiator.drain();
        assertThat(initiator.ch.isOpen()).as("closed 30 s after the last PDU").isFalse();
        assertThat(server.sessions.all()).isEmpty();
    }

    @Test
    void nopOutIsAnsweredWhileTheLunIsBusy() {
        // The first command of a new I_T nexus reports POWER ON, RESET (SAM-5 §5.14): take it first.
        initiator.send(Initiator.testUnitReady(0x0f, 1));
        initiator.only(ScsiResponsePdu.class).release();
        initiator.send(Initiator.read10(0x10, 2, 8));
        assertThat(server.io).as("the read waits on the slow device").isNotEmpty();
        initiator.send(new NopOut(false, 0, 0x11, Bhs.RESERVED_TAG, 3, 0, Unpooled.wrappedBuffer(new byte[] {4, 2})));
        NopIn pong = initiator.only(NopIn.class);
        assertThat(pong.itt()).isEqualTo(0x11);
        assertThat(ByteBufUtil.getBytes(pong.data())).containsExactly(4, 2);
        pong.release();
        server.runIo();
        List<Pdu> out = initiator.responses();
        assertThat(out).singleElement().isInstanceOfSatisfying(DataIn.class,
                d -> assertThat(d.itt()).isEqualTo(0x10));
        out.forEach(Pdu::release);
    }
}

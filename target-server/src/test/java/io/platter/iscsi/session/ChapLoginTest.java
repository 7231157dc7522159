package io.platter.iscsi.session;

import static io.platter.iscsi.session.LoginPhaseTest.ISID;
import static io.platter.iscsi.session.LoginPhaseTest.keys;
import static io.platter.iscsi.session.LoginPhaseTest.login;
import static io.platter.iscsi.session.LoginPhaseTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.config.ChapCredentials;
import io.platter.iscsi.auth.BinaryValues;
import io.platter.iscsi.auth.ChapAlgorithm;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.auth.LoginThrottle;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.iscsi.pdu.TextResponse;
import io.platter.scsi.ScsiTarget;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CHAP and ACLs in the login phase (RFC 7143 §6.3, §12.1.3) on a pipeline like IscsiServer's. */
class ChapLoginTest {
    static final String CHAP_TARGET = "iqn.2024-01.io.platter:secure";
    static final String OPEN_TARGET = "iqn.2024-01.io.platter:open";
    static final String ACL_TARGET = "iqn.2024-01.io.platter:private";
    static final String INITIATOR = "iqn.1994-05.com.redhat:client";
    static final String OTHER = "iqn.1994-05.com.redhat:stranger";
    static final ChapCredentials CREDS = new ChapCredentials("alice", "alice-secret-16b", "target", "target-secret-16");
    static final ChapCredentials DISCOVERY = ChapCredentials.oneWay("disco", "discovery-secret");

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(1), Duration.ofMinutes(1), clock::get);
    private SessionRegistry sessions = new SessionRegistry();
    private EmbeddedChannel ch;

    /** A new connection to a server with the three targets, discovery CHAP as given. */
    private void connect(ChapCredentials discoveryChap) {
        ch = new EmbeddedChannel();
        channels.add(ch);
        PduDecoder decoder = new PduDecoder();
        TargetRegistry targets = new TargetRegistry(List.of(
                new ExportedTarget(CHAP_TARGET, null, 1, scsi(CHAP_TARGET), CREDS, List.of()),
                new ExportedTarget(OPEN_TARGET, null, 1, scsi(OPEN_TARGET)),
                new ExportedTarget(ACL_TARGET, null, 1, scsi(ACL_TARGET), null, List.of(INITIATOR.toUpperCase()))));
        Connection connection = new Connection(ch, targets, sessions, ServerLimits.defaults(), decoder,
                new LoginSecurity(discoveryChap, throttle, new SecureRandom()));
        ch.pipeline().addLast("decoder", decoder).addLast("encoder", new PduEncoder())
                .addLast("login", new LoginHandler(connection));
    }

    private static ScsiTarget scsi(String name) {
        return new ScsiTarget(name, PooledByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void nothingLeftBehind() {
        for (EmbeddedChannel c : channels) {
            assertThat((Object) c.readOutbound()).as("unread responses").isNull();
            c.finish();
        }
    }

    private void send(Pdu pdu) {
        ch.writeInbound(PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false));
    }

    private <T extends Pdu> T only(Class<T> type) {
        ByteBuf all = PooledByteBufAllocator.DEFAULT.buffer();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        try {
            Pdu p = PduDecoder.decodeOne(all, false, false, LoginPhaseTest.MAX);
            assertThat(all.readableBytes()).as("exactly one PDU").isZero();
            assertThat(p).isInstanceOf(type);
            return type.cast(p);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        } finally {
            all.release();
        }
    }

    private LoginResponse step(int csg, int nsg, boolean transit, String... pairs) {
        send(login(csg, nsg, transit, 1, text(pairs)));
        return only(LoginResponse.class);
    }

    private void assertStatus(LoginResponse r, int statusClass, int detail) {
        assertThat(r.statusClass()).isEqualTo(statusClass);
        assertThat(r.statusDetail()).isEqualTo(detail);
        r.release();
    }

    private void assertFailed(LoginResponse r, int detail) {
        assertStatus(r, 2, detail);
        assertThat(ch.isOpen()).as("closed after a failed login").isFalse();
    }

    /** Steps 1 and 2: AuthMethod, then CHAP_A; returns the target's challenge keys. */
    private Map<String, String> challenge(String target) {
        LoginResponse first = step(0, 1, true, "InitiatorName", INITIATOR, "TargetName", target,
                "AuthMethod", "CHAP,None");
        assertThat(first.statusClass()).isZero();
        assertThat(first.transit()).as("held in the security stage until CHAP completes").isFalse();
        assertThat(keys(first)).containsEntry("AuthMethod", "CHAP");
        LoginResponse second = step(0, 1, true, "CHAP_A", "5");
        assertThat(second.statusClass()).isZero();
        assertThat(second.transit()).isFalse();
        Map<String, String> c = keys(second);
        assertThat(c).containsKeys("CHAP_A", "CHAP_I", "CHAP_C").containsEntry("CHAP_A", "5");
        return c;
    }

    static String response(Map<String, String> challenge, String secret) {
        try {
            return BinaryValues.hex(ChapAlgorithm.MD5.response(Integer.parseInt(challenge.get("CHAP_I")),
                    secret.getBytes(StandardCharsets.UTF_8), BinaryValues.decode(challenge.get("CHAP_C"))));
        } catch (BinaryValues.BadValueException e) {
            throw new AssertionError(e);
        }
    }

    private void finishOperational() {
        LoginResponse done = step(1, 3, true, "MaxRecvDataSegmentLength", "65536");
        assertThat(done.statusClass()).isZero();
        assertThat(done.tsih()).isNotZero();
        done.release();
        assertThat(ch.pipeline().get("session")).isInstanceOf(FullFeatureHandler.class);
    }

    @Test
    void oneWayChapLogsIn() {
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        LoginResponse r = step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "alice-secret-16b"));
        assertThat(r.statusClass()).isZero();
        assertThat(r.transit()).isTrue();
        assertThat(r.nsg()).isEqualTo(1);
        assertThat(keys(r)).isEmpty();
        finishOperational();
        assertThat(throttle.failures()).isZero();
    }

    @Test
    void mutualChapAnswersWithTheTargetsCredentials() {
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        String ours = "0x0f0e0d0c0b0a09080706050403020100";
        LoginResponse r = step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "alice-secret-16b"),
                "CHAP_I", "200", "CHAP_C", ours);
        assertThat(r.statusClass()).isZero();
        assertThat(r.transit()).isTrue();
        assertThat(keys(r)).containsExactly(Map.entry("CHAP_N", "target"),
                Map.entry("CHAP_R", response(Map.of("CHAP_I", "200", "CHAP_C", ours), "target-secret-16")));
        finishOperational();
    }

    @Test
    void wrongSecretFails0201AndIsCounted() {
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        assertFailed(step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "not-the-secret!!")), 1);
        assertThat(throttle.failures()).isEqualTo(1);
        assertThat(sessions.all()).isEmpty();
    }

    @Test
    void wrongUserFails0201() {
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        assertFailed(step(0, 1, true, "CHAP_N", "bob", "CHAP_R", response(c, "alice-secret-16b")), 1);
    }

    @Test
    void authMethodNoneIsRefusedWhenChapIsRequired() {
        connect(null);
        assertFailed(step(0, 1, true, "InitiatorName", INITIATOR, "TargetName", CHAP_TARGET, "AuthMethod", "None"), 1);
    }

    @Test
    void skippingTheSecurityStageFails0201() {
        connect(null);
        assertFailed(step(1, 3, true, "InitiatorName", INITIATOR, "TargetName", CHAP_TARGET), 1);
    }

    @Test
    void leavingTheSecurityStageWithoutAuthMethodFails0201() {
        connect(null);
        assertFailed(step(0, 1, true, "InitiatorName", INITIATOR, "TargetName", CHAP_TARGET), 1);
    }

    @Test
    void jumpingToOperationalBeforeTheResponseIsHeldBack() {
        connect(null);
        challenge(CHAP_TARGET);
        // T=1 without CHAP_N/CHAP_R: the target answers T=0 and stays in the security stage.
        LoginResponse r = step(0, 1, true);
        assertThat(r.transit()).isFalse();
        assertStatus(r, 0, 0);
        assertFailed(step(1, 3, true), 0); // CSG out of sequence
    }

    @Test
    void chapIsNotOfferedForAnOpenTarget() {
        connect(null);
        LoginResponse r = step(0, 1, true, "InitiatorName", INITIATOR, "TargetName", OPEN_TARGET,
                "AuthMethod", "CHAP,None");
        assertThat(r.transit()).isTrue();
        assertThat(keys(r)).containsEntry("AuthMethod", "None");
        finishOperational();
    }

    @Test
    void fiveFailuresBlockTheSourceEvenForTheRightSecret() {
        for (int i = 0; i < 5; i++) {
            connect(null);
            Map<String, String> c = challenge(CHAP_TARGET);
            assertFailed(step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "guess-number-" + i)), 1);
        }
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        assertFailed(step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "alice-secret-16b")), 1);
        clock.addAndGet(Duration.ofMinutes(2).toNanos());
        connect(null);
        Map<String, String> later = challenge(CHAP_TARGET);
        LoginResponse ok = step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(later, "alice-secret-16b"));
        assertStatus(ok, 0, 0);
        finishOperational();
    }

    @Test
    void initiatorOutsideTheAclGetsTheStatusOfAnUnknownTarget() {
        // Issue 21 finding 13: 02/02 for a hidden target against 02/03 for none told them apart.
        connect(null);
        assertFailed(step(0, 1, true, "InitiatorName", OTHER, "TargetName", ACL_TARGET, "AuthMethod", "None"), 3);
        connect(null);
        assertFailed(step(0, 1, true, "InitiatorName", OTHER, "TargetName", "iqn.2024-01.io.platter:none",
                "AuthMethod", "None"), 3);
        connect(null);
        LoginResponse r = step(0, 1, true, "InitiatorName", INITIATOR, "TargetName", ACL_TARGET, "AuthMethod", "None");
        assertStatus(r, 0, 0);
        finishOperational();
    }

    @Test
    void sendTargetsListsOnlyTargetsTheInitiatorMayLogInTo() {
        // Without discovery CHAP nothing is proved: CHAP-protected targets stay unnamed (finding 13).
        assertThat(discover(INITIATOR)).containsExactlyInAnyOrder(ACL_TARGET, OPEN_TARGET);
        assertThat(discover(OTHER)).containsExactlyInAnyOrder(OPEN_TARGET);
    }

    @Test
    void aDiscoverySessionAuthenticatedWithDiscoveryChapAlsoSeesChapTargets() {
        connect(DISCOVERY);
        step(0, 1, true, "InitiatorName", OTHER, "SessionType", "Discovery", "AuthMethod", "CHAP").release();
        Map<String, String> c = keys(step(0, 1, true, "CHAP_A", "5"));
        assertStatus(step(0, 3, true, "CHAP_N", "disco", "CHAP_R", response(c, "discovery-secret")), 0, 0);
        assertThat(sendTargets()).containsExactlyInAnyOrder(OPEN_TARGET, CHAP_TARGET);
    }

    @Test
    void aShortMutualChallengeIsRefused() {
        // Issue 21 finding 11: a 1-byte CHAP_C was answered, so every answer could be collected.
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        assertFailed(step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "alice-secret-16b"),
                "CHAP_I", "7", "CHAP_C", "0x" + "ab".repeat(15)), 1);
        connect(null);
        c = challenge(CHAP_TARGET);
        LoginResponse r = step(0, 1, true, "CHAP_N", "alice", "CHAP_R", response(c, "alice-secret-16b"),
                "CHAP_I", "7", "CHAP_C", "0x" + "ab".repeat(16));
        assertThat(keys(r)).containsKeys("CHAP_N", "CHAP_R");
        finishOperational();
    }

    private List<String> discover(String initiator) {
        connect(null);
        assertStatus(step(1, 3, true, "InitiatorName", initiator, "SessionType", "Discovery"), 0, 0);
        return sendTargets();
    }

    private List<String> sendTargets() {
        send(new TextRequest(true, true, false, 0, 5, Bhs.RESERVED_TAG, 1, 0, text("SendTargets", "All")));
        TextResponse t = only(TextResponse.class);
        ByteBuf data = t.data();
        List<String> names = new ArrayList<>();
        for (String pair : data.toString(StandardCharsets.UTF_8).split("\0")) {
            if (pair.startsWith("TargetName=")) {
                names.add(pair.substring("TargetName=".length()));
            }
        }
        t.release();
        return names;
    }

    @Test
    void discoveryChapIsRequiredWhenConfigured() {
        connect(DISCOVERY);
        assertFailed(step(0, 1, true, "InitiatorName", INITIATOR, "SessionType", "Discovery", "AuthMethod", "None"), 1);
        connect(DISCOVERY);
        LoginResponse first = step(0, 1, true, "InitiatorName", INITIATOR, "SessionType", "Discovery",
                "AuthMethod", "CHAP");
        assertThat(keys(first)).containsEntry("AuthMethod", "CHAP");
        LoginResponse second = step(0, 1, true, "CHAP_A", "5");
        Map<String, String> c = keys(second);
        LoginResponse r = step(0, 3, true, "CHAP_N", "disco", "CHAP_R", response(c, "discovery-secret"));
        assertStatus(r, 0, 0);
        assertThat(sessions.all()).singleElement().satisfies(s -> assertThat(s.discovery()).isTrue());
    }

    @Test
    void isidIsEchoedOnAChapFailure() {
        connect(null);
        Map<String, String> c = challenge(CHAP_TARGET);
        LoginResponse r = step(0, 1, true, "CHAP_N", "alice", "CHAP_R", "0xzz" + c.get("CHAP_I"));
        assertThat(r.isid()).isEqualTo(ISID);
        assertFailed(r, 1);
    }
}

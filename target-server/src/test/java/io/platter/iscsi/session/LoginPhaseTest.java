package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.iscsi.login.TextParameters;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.iscsi.pdu.TextResponse;
import io.platter.scsi.ScsiTarget;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The login phase (RFC 7143 §6.3, §11.12-13) on a pipeline like IscsiServer's, bytes in and out. */
class LoginPhaseTest {
    static final String TARGET = "iqn.2024-01.io.platter:disk1";
    static final String INITIATOR = "iqn.1994-05.com.redhat:client";
    static final long ISID = 0x0002_3d00_0001L;
    static final int MAX = 16_777_215;

    private EmbeddedChannel ch;
    private SessionRegistry sessions;
    private boolean digests;

    @BeforeEach
    void pipeline() {
        ch = new EmbeddedChannel();
        PduDecoder decoder = new PduDecoder();
        TargetRegistry targets = new TargetRegistry(List.of(new ExportedTarget(TARGET, "Disk One", 1,
                new ScsiTarget(TARGET, PooledByteBufAllocator.DEFAULT))));
        sessions = new SessionRegistry();
        Connection connection = new Connection(ch, targets, sessions, ServerLimits.defaults(), decoder);
        ch.pipeline().addLast("decoder", decoder).addLast("encoder", new PduEncoder())
                .addLast("login", new LoginHandler(connection));
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(responses()).as("unread responses").isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    // --- helpers --------------------------------------------------------------------------------

    static ByteBuf text(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return TextParameters.encode(PooledByteBufAllocator.DEFAULT, map);
    }

    static LoginRequest login(int csg, int nsg, boolean transit, int itt, ByteBuf text) {
        return new LoginRequest(transit, false, csg, nsg, 0, 0, ISID, 0, itt, 0, 1, 0, text);
    }

    /** Writes the PDU's bytes into the channel as an initiator would. */
    private void send(Pdu pdu) {
        ch.writeInbound(PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, digests, digests));
    }

    /** Every PDU the target wrote so far, decoded from the bytes on the wire. */
    private List<Pdu> responses() {
        return Initiator.decodeOutbound(ch, digests, digests);
    }

    private <T extends Pdu> T only(Class<T> type) {
        List<Pdu> pdus = responses();
        assertThat(pdus).hasSize(1);
        assertThat(pdus.get(0)).isInstanceOf(type);
        return type.cast(pdus.get(0));
    }

    /** The keys of a response; releases its data. */
    static Map<String, String> keys(Pdu pdu) {
        try {
            return TextParameters.parse(pdu.data());
        } catch (TextParameters.TextFormatException e) {
            throw new AssertionError(e);
        } finally {
            pdu.release();
        }
    }

    private void assertFailed(LoginResponse r, int statusClass, int statusDetail) {
        assertThat(r.statusClass()).isEqualTo(statusClass);
        assertThat(r.statusDetail()).isEqualTo(statusDetail);
        assertThat(r.tsih()).isZero();
        assertThat(r.transit()).isFalse();
        r.release();
        assertThat(ch.isOpen()).as("closed after a failed login").isFalse();
        assertThat(sessions.all()).isEmpty();
    }

    // --- tests ----------------------------------------------------------------------------------

    @Test
    void fullLoginThroughSecurityAndOperationalStages() {
        send(login(0, 1, true, 0x10, text("InitiatorName", INITIATOR, "TargetName", TARGET,
                "SessionType", "Normal", "AuthMethod", "None")));
        LoginResponse security = only(LoginResponse.class);
        assertThat(security.statusClass()).isZero();
        assertThat(security.transit()).isTrue();
        assertThat(security.csg()).isZero();
        assertThat(security.nsg()).isEqualTo(1);
        assertThat(security.isid()).isEqualTo(ISID);
        assertThat(security.itt()).isEqualTo(0x10);
        assertThat(security.tsih()).as("TSIH only in the final response").isZero();
        assertThat(security.versionMax()).isZero();
        assertThat(security.versionActive()).isZero();
        int statSn = security.statSn();
        assertThat(keys(security)).containsExactly(Map.entry("AuthMethod", "None"),
                Map.entry("TargetAlias", "Disk One"), Map.entry("TargetPortalGroupTag", "1"));

        send(login(1, 3, true, 0x11, text("HeaderDigest", "None", "DataDigest", "None",
                "MaxRecvDataSegmentLength", "65536", "MaxBurstLength", "262144", "FirstBurstLength", "65536",
                "InitialR2T", "No", "ImmediateData", "Yes", "ErrorRecoveryLevel", "0", "MaxConnections", "1",
                "X-com.example.Feature", "1")));
        LoginResponse operational = only(LoginResponse.class);
        assertThat(operational.statusClass()).isZero();
        assertThat(operational.statusDetail()).isZero();
        assertThat(operational.transit()).isTrue();
        assertThat(operational.csg()).isEqualTo(1);
        assertThat(operational.nsg()).isEqualTo(3);
        assertThat(operational.tsih()).isNotZero();
        assertThat(operational.itt()).isEqualTo(0x11);
        assertThat(operational.statSn()).isEqualTo(statSn + 1);
        assertThat(operational.expCmdSn()).isEqualTo(1);
        assertThat(operational.maxCmdSn()).isEqualTo(ServerLimits.defaults().commandWindow());
        int tsih = operational.tsih();
        assertThat(keys(operational)).containsExactly(Map.entry("HeaderDigest", "None"),
                Map.entry("DataDigest", "None"), Map.entry("MaxRecvDataSegmentLength", "262144"),
                Map.entry("MaxBurstLength", "262144"), Map.entry("FirstBurstLength", "65536"),
                Map.entry("InitialR2T", "No"), Map.entry("ImmediateData", "Yes"),
                Map.entry("ErrorRecoveryLevel", "0"), Map.entry("MaxConnections", "1"),
                Map.entry("X-com.example.Feature", "NotUnderstood"));

        assertThat(ch.pipeline().get("login")).isNull();
        assertThat(ch.pipeline().get("session")).isInstanceOf(FullFeatureHandler.class);
        assertThat(sessions.all()).singleElement().satisfies(s -> {
            assertThat(s.tsih()).isEqualTo(tsih);
            assertThat(s.target().name()).isEqualTo(TARGET);
            assertThat(s.parameters().maxXmitDataSegmentLength()).isEqualTo(65536);
            assertThat(s.parameters().initialR2T()).isFalse();
        });

        // Full feature phase: a ping is answered.
        send(new NopOut(true, 0, 0x12, Bhs.RESERVED_TAG, 1, statSn + 2, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        NopIn pong = only(NopIn.class);
        assertThat(pong.itt()).isEqualTo(0x12);
        assertThat(pong.statSn()).isEqualTo(statSn + 2);
        assertThat(ByteBufUtil.getBytes(pong.data())).containsExactly(1, 2, 3);
        pong.release();
    }

    @Test
    void negotiatedDigestsApplyAfterTheFinalResponse() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET,
                "HeaderDigest", "CRC32C,None", "DataDigest", "CRC32C,None")));
        LoginResponse r = only(LoginResponse.class); // read without digests: the response has none
        assertThat(r.statusClass()).isZero();
        assertThat(keys(r)).containsEntry("HeaderDigest", "CRC32C").containsEntry("DataDigest", "CRC32C");
        digests = true;
        send(new NopOut(true, 0, 7, Bhs.RESERVED_TAG, 1, 0, Unpooled.wrappedBuffer(new byte[] {9})));
        NopIn pong = only(NopIn.class);
        assertThat(pong.itt()).isEqualTo(7);
        assertThat(ByteBufUtil.getBytes(pong.data())).containsExactly(9);
        pong.release();
    }

    @Test
    void missingInitiatorNameFails0207() {
        send(login(0, 1, true, 1, text("TargetName", TARGET, "AuthMethod", "None")));
        assertFailed(only(LoginResponse.class), 2, 7);
    }

    @Test
    void unknownTargetFails0203() {
        send(login(0, 1, true, 1, text("InitiatorName", INITIATOR, "TargetName", "iqn.2024-01.io.platter:nope",
                "AuthMethod", "None")));
        assertFailed(only(LoginResponse.class), 2, 3);
    }

    @Test
    void targetNamesMatchCaseInsensitively() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET.toUpperCase())));
        LoginResponse r = only(LoginResponse.class);
        assertThat(r.statusClass()).isZero();
        assertThat(r.tsih()).isNotZero();
        r.release();
    }

    @Test
    void unsupportedVersionFails0205AndEchoesTheRequest() {
        send(new LoginRequest(true, false, 0, 1, 2, 1, ISID, 0, 0x4242, 0, 1, 0,
                text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        LoginResponse r = only(LoginResponse.class);
        assertThat(r.itt()).as("the initiator matches the response by ITT").isEqualTo(0x4242);
        assertThat(r.isid()).isEqualTo(ISID);
        assertFailed(r, 2, 5);
    }

    @Test
    void garbageTextFails0200AndCloses() {
        send(login(0, 1, true, 1, Unpooled.copiedBuffer("InitiatorName\0=x\0", StandardCharsets.UTF_8)));
        assertFailed(only(LoginResponse.class), 2, 0);
    }

    @Test
    void nonLoginPduBeforeLoginFails020b() {
        send(new NopOut(true, 0, 1, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        assertFailed(only(LoginResponse.class), 2, 0x0b);
    }

    @Test
    void noAcceptableAuthMethodFails0201() {
        send(login(0, 1, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "CHAP")));
        assertFailed(only(LoginResponse.class), 2, 1);
    }

    @Test
    void discoverySessionAnswersSendTargets() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "SessionType", "Discovery")));
        LoginResponse r = only(LoginResponse.class);
        assertThat(r.statusClass()).isZero();
        assertThat(r.tsih()).isNotZero();
        assertThat(keys(r)).containsEntry("TargetPortalGroupTag", "1").doesNotContainKey("TargetAlias");
        assertThat(sessions.all()).singleElement().satisfies(s -> assertThat(s.discovery()).isTrue());

        send(new TextRequest(true, true, false, 0, 5, Bhs.RESERVED_TAG, 1, r.statSn() + 1, text("SendTargets", "All")));
        TextResponse t = only(TextResponse.class);
        assertThat(t.finalBit()).isTrue();
        assertThat(t.cont()).isFalse();
        assertThat(t.itt()).isEqualTo(5);
        assertThat(t.ttt()).isEqualTo(Bhs.RESERVED_TAG);
        assertThat(t.statSn()).isEqualTo(r.statSn() + 1);
        assertThat(keys(t)).containsExactly(Map.entry("TargetName", TARGET),
                Map.entry("TargetAddress", "127.0.0.1:3260,1"));
    }

    @Test
    void afterLoginAnUnknownOpcodeIsRejectedAndThePduBehindItServed() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        only(LoginResponse.class).release();
        byte[] unknown = wire(new NopOut(true, 0, 0x77, Bhs.RESERVED_TAG, 1, 0, Unpooled.wrappedBuffer(new byte[] {1})));
        unknown[0] = 0x5c; // I=1 and the unassigned opcode 0x1c
        byte[] ping = wire(new NopOut(true, 0, 0x78, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        ByteBuf both = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(unknown).writeBytes(ping);
        ch.writeInbound(both); // one read holding both PDUs
        List<Pdu> out = responses();
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(io.platter.iscsi.pdu.Reject.class, reject -> {
            assertThat(reject.reason()).isEqualTo(0x05);
            assertThat(ByteBufUtil.getBytes(reject.data())).isEqualTo(java.util.Arrays.copyOf(unknown, 48));
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(NopIn.class, n -> assertThat(n.itt()).isEqualTo(0x78));
        out.forEach(Pdu::release);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void stoppingAsksALoggedInInitiatorToLogOutWithAnAsyncMessage() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET)));
        LoginResponse r = only(LoginResponse.class);
        int statSn = r.statSn();
        r.release();
        ch.pipeline().fireUserEventTriggered(new LogoutRequested(5));
        io.platter.iscsi.pdu.AsyncMessage async = only(io.platter.iscsi.pdu.AsyncMessage.class);
        // RFC 7143 §11.9.1: AsyncEvent 1, Parameter3 = seconds to log out in, Parameter1/2 reserved.
        assertThat(async.asyncEvent()).isEqualTo(io.platter.iscsi.pdu.AsyncMessage.LOGOUT_REQUESTED);
        assertThat(async.parameter3()).isEqualTo(5);
        assertThat(async.parameter1()).isZero();
        assertThat(async.parameter2()).isZero();
        assertThat(async.statSn()).isEqualTo(statSn + 1);
        assertThat(async.expCmdSn()).isEqualTo(1);
        async.release();
        assertThat(ch.isOpen()).as("the initiator logs out; the target does not drop it yet").isTrue();
    }

    @Test
    void stoppingClosesAConnectionStillLoggingIn() {
        ch.pipeline().fireUserEventTriggered(new LogoutRequested(5));
        assertThat(ch.isOpen()).isFalse();
    }

    private static byte[] wire(Pdu pdu) {
        ByteBuf b = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void maxRecvDataSegmentLengthRenegotiatedInFullFeaturePhaseIsApplied() {
        send(login(1, 3, true, 1, text("InitiatorName", INITIATOR, "TargetName", TARGET,
                "MaxRecvDataSegmentLength", "65536")));
        only(LoginResponse.class).release();
        // RFC 7143 §13.12: the initiator may declare a new value in a Text Request.
        send(new TextRequest(true, true, false, 0, 9, Bhs.RESERVED_TAG, 1, 0,
                text("MaxRecvDataSegmentLength", "4096", "MaxBurstLength", "512")));
        TextResponse t = only(TextResponse.class);
        assertThat(keys(t)).containsEntry("MaxRecvDataSegmentLength", "262144").containsKey("MaxBurstLength");
        assertThat(sessions.all()).singleElement().satisfies(s -> {
            assertThat(s.parameters().maxXmitDataSegmentLength()).isEqualTo(4096);
            assertThat(s.parameters().maxBurstLength()).as("session keys are not renegotiable").isEqualTo(262144);
        });
    }

    @Test
    void loginSpreadOverContinuedRequests() {
        ByteBuf all = text("InitiatorName", INITIATOR, "TargetName", TARGET);
        ByteBuf first = all.readRetainedSlice(10);
        ByteBuf rest = all.readRetainedSlice(all.readableBytes());
        all.release();
        send(new LoginRequest(false, true, 1, 0, 0, 0, ISID, 0, 3, 0, 1, 0, first));
        LoginResponse partial = only(LoginResponse.class);
        assertThat(partial.statusClass()).isZero();
        assertThat(partial.transit()).isFalse();
        assertThat(keys(partial)).isEmpty();
        send(new LoginRequest(true, false, 1, 3, 0, 0, ISID, 0, 3, 0, 1, 0, rest));
        LoginResponse done = only(LoginResponse.class);
        assertThat(done.statusClass()).isZero();
        assertThat(done.tsih()).isNotZero();
        done.release();
    }
}

package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.config.Portal;
import io.platter.config.PortalGroup;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.iscsi.pdu.TextResponse;
import io.platter.scsi.ScsiTarget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Portal groups (RFC 7143 §4.2.2, §13.8, §13.9): the TPGT of the arrival portal, SendTargets of every group. */
class PortalGroupLoginTest {
    private static final List<PortalGroup> GROUPS = List.of(
            new PortalGroup(1, List.of(new Portal("127.0.0.1", 3260), new Portal("0.0.0.0", 3262))),
            new PortalGroup(2, List.of(new Portal("::1", 3261))));

    private final SessionRegistry sessions = new SessionRegistry();
    private EmbeddedChannel ch;

    private void connectVia(int tag) {
        ch = new EmbeddedChannel();
        PduDecoder decoder = new PduDecoder();
        TargetRegistry targets = new TargetRegistry(List.of(new ExportedTarget(LoginPhaseTest.TARGET, null, 1,
                new ScsiTarget(LoginPhaseTest.TARGET, PooledByteBufAllocator.DEFAULT))));
        Connection connection = new Connection(ch, targets, sessions, ServerLimits.defaults(), decoder);
        connection.arrivedVia(tag, GROUPS);
        ch.pipeline().addLast("decoder", decoder).addLast("encoder", new PduEncoder())
                .addLast("login", new LoginHandler(connection));
    }

    @AfterEach
    void nothingLeftBehind() {
        if (ch != null) {
            assertThat(responses()).isEmpty();
            ch.finishAndReleaseAll();
        }
    }

    private void send(Pdu pdu) {
        ch.writeInbound(PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false));
    }

    private List<Pdu> responses() {
        return Initiator.decodeOutbound(ch, false, false);
    }

    private <T extends Pdu> T only(Class<T> type) {
        List<Pdu> pdus = responses();
        assertThat(pdus).hasSize(1).first().isInstanceOf(type);
        return type.cast(pdus.get(0));
    }

    private static int status(LoginResponse r) {
        r.release();
        return r.statusClass();
    }

    @Test
    void theFirstLoginResponseCarriesTheTagOfTheArrivalPortalAndTheNexusUsesIt() {
        connectVia(2);
        send(LoginPhaseTest.login(1, 3, true, 1, LoginPhaseTest.text("InitiatorName", LoginPhaseTest.INITIATOR,
                "TargetName", LoginPhaseTest.TARGET)));
        LoginResponse r = only(LoginResponse.class);
        assertThat(r.statusClass()).isZero();
        assertThat(LoginPhaseTest.keys(r)).containsEntry("TargetPortalGroupTag", "2");
        assertThat(sessions.all()).singleElement().satisfies(s -> {
            assertThat(s.target().portalGroupTag()).isEqualTo(2);
            assertThat(s.nexus().targetPort()).endsWith(",t,0x0002");
        });
    }

    @Test
    void theSameIsidThroughAnotherGroupIsAnotherSession() {
        connectVia(1);
        send(LoginPhaseTest.login(1, 3, true, 1, LoginPhaseTest.text("InitiatorName", LoginPhaseTest.INITIATOR,
                "TargetName", LoginPhaseTest.TARGET)));
        assertThat(status(only(LoginResponse.class))).isZero();
        EmbeddedChannel first = ch;
        connectVia(2);
        send(LoginPhaseTest.login(1, 3, true, 1, LoginPhaseTest.text("InitiatorName", LoginPhaseTest.INITIATOR,
                "TargetName", LoginPhaseTest.TARGET)));
        assertThat(status(only(LoginResponse.class))).isZero();
        assertThat(first.isOpen()).as("no reinstatement across portal groups (SSID = ISID + TPGT)").isTrue();
        assertThat(sessions.all()).hasSize(2);
        first.finishAndReleaseAll();
    }

    @Test
    void sendTargetsListsEveryPortalOfEveryGroupWithItsTag() {
        connectVia(1);
        send(LoginPhaseTest.login(1, 3, true, 1, LoginPhaseTest.text("InitiatorName", LoginPhaseTest.INITIATOR,
                "SessionType", "Discovery")));
        LoginResponse r = only(LoginResponse.class);
        assertThat(LoginPhaseTest.keys(r)).containsEntry("TargetPortalGroupTag", "1");
        send(new TextRequest(true, true, false, 0, 5, Bhs.RESERVED_TAG, 1, r.statSn() + 1,
                LoginPhaseTest.text("SendTargets", "All")));
        TextResponse t = only(TextResponse.class);
        try {
            // The wildcard portal is given as the address this connection reached (EmbeddedChannel: 127.0.0.1).
            assertThat(t.data().toString(StandardCharsets.UTF_8)).isEqualTo("TargetName=" + LoginPhaseTest.TARGET
                    + "\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=127.0.0.1:3262,1\0TargetAddress=[::1]:3261,2\0");
        } finally {
            t.release();
        }
    }
}

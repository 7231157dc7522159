package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataOut;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.Reject;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.iscsi.pdu.SnackRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a broken or hostile peer gets in full feature phase (RFC 7143 §7.8, §11.17): digest
 * errors at ERL 0, each Reject reason the target sends, and the command window closing while
 * commands are in flight.
 */
class ProtocolErrorsTest {
    private final Server server = new Server(ServerLimits.defaults().withCommandWindow(4));
    private Initiator initiator;

    @AfterEach
    void finish() {
        if (initiator != null) {
            initiator.finish();
        }
        server.runIo();
    }

    private Initiator loggedIn(String... keys) {
        initiator = new Initiator(server);
        assertThat(initiator.login(Server.TARGET, 0x0002_3d00_0001L, 0, 1, 1, keys).statusClass()).isZero();
        return initiator;
    }

    private Initiator withDigests() {
        Initiator i = loggedIn("HeaderDigest", "CRC32C", "DataDigest", "CRC32C");
        i.headerDigest = true;
        i.dataDigest = true;
        return i;
    }

    private static ByteBuf wire(Pdu pdu, boolean digests) {
        return PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, digests, digests);
    }

    private Reject onlyReject(int reason) {
        Reject r = initiator.only(Reject.class);
        assertThat(r.reason()).isEqualTo(reason);
        return r;
    }

    @Test
    void badHeaderDigestClosesTheConnectionAtErl0() {
        Initiator i = withDigests();
        ByteBuf b = wire(new NopOut(true, 0, 1, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER), true);
        b.setByte(48, b.getByte(48) ^ 0x01); // first byte of the header digest
        i.send(b);
        i.drain();
        assertThat(i.ch.isOpen()).isFalse();
        assertThat(server.sessions.all()).isEmpty();
    }

    @Test
    void badDataDigestRejectsThePduAndKeepsTheConnection() {
        Initiator i = withDigests();
        ByteBuf b = wire(new NopOut(true, 0, 2, Bhs.RESERVED_TAG, 1, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4})),
                true);
        b.setByte(b.writerIndex() - 1, b.getByte(b.writerIndex() - 1) ^ 0x01); // the data digest
        i.send(b);
        Reject r = onlyReject(RejectReason.DATA_DIGEST_ERROR.wire());
        assertThat(r.data().getInt(16)).as("the rejected header's ITT").isEqualTo(2);
        r.release();
        assertThat(i.ch.isOpen()).isTrue();
        i.send(new NopOut(true, 0, 3, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        i.only(NopIn.class).release();
    }

    @Test
    void unknownOpcodeIsRejectedAsCommandNotSupported() {
        Initiator i = loggedIn();
        ByteBuf b = wire(new NopOut(true, 0, 4, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER), false);
        b.setByte(0, 0x40 | 0x1d);
        i.send(b);
        onlyReject(RejectReason.COMMAND_NOT_SUPPORTED.wire()).release();
    }

    @Test
    void unknownOpcodeWithoutTheImmediateBitConsumesItsCmdSn() {
        Initiator i = loggedIn();
        i.takePowerOn();
        ByteBuf b = wire(new NopOut(false, 0, 5, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER), false);
        b.setByte(0, 0x1d); // I bit clear: CmdSN 1 is the rejected PDU's
        i.send(b);
        onlyReject(RejectReason.COMMAND_NOT_SUPPORTED.wire()).release();
        // RFC 7143 §4.2.2.1: the initiator will not send CmdSN 1 again, so CmdSN 2 must not wait for it.
        i.send(Initiator.testUnitReady(0x61, 2));
        ScsiResponsePdu r = i.only(ScsiResponsePdu.class);
        assertThat(r.itt()).isEqualTo(0x61);
        assertThat(r.expCmdSn()).isEqualTo(3);
        r.release();
    }

    @Test
    void commandRejectedForATaskTagInUseConsumesItsCmdSn() {
        Initiator i = loggedIn();
        i.takePowerOn();
        i.send(Initiator.read10(0x62, 1, 1));
        i.send(Initiator.read10(0x62, 2, 1));
        onlyReject(RejectReason.TASK_IN_PROGRESS.wire()).release();
        server.runIo();
        i.drain();
        i.send(Initiator.testUnitReady(0x63, 3));
        ScsiResponsePdu r = i.only(ScsiResponsePdu.class);
        assertThat(r.itt()).isEqualTo(0x63);
        r.release();
    }

    @Test
    void dataOutForAnUnknownTaskIsRejectedAsInvalidPduField() {
        Initiator i = loggedIn();
        i.send(new DataOut(true, 0, 0x55, 7, 0, 0, 0, Unpooled.wrappedBuffer(new byte[512])));
        onlyReject(RejectReason.INVALID_PDU_FIELD.wire()).release();
        assertThat(i.ch.isOpen()).isTrue();
    }

    @Test
    void taskTagInUseIsRejectedAsTaskInProgress() {
        Initiator i = loggedIn();
        i.takePowerOn();
        i.send(Initiator.read10(0x60, 1, 1));
        i.send(Initiator.read10(0x60, 2, 1));
        onlyReject(RejectReason.TASK_IN_PROGRESS.wire()).release();
        server.runIo();
        i.drain();
    }

    @Test
    void snackAtErl0IsRejected() {
        Initiator i = loggedIn();
        i.send(new SnackRequest(1, 0, Bhs.RESERVED_TAG, Bhs.RESERVED_TAG, 0, 0, 0, Unpooled.EMPTY_BUFFER));
        Reject r = initiator.only(Reject.class);
        assertThat(r.reason()).isIn(RejectReason.PROTOCOL_ERROR.wire(), RejectReason.SNACK_REJECT.wire());
        r.release();
    }

    @Test
    void windowClosesWhileCommandsAreInFlightAndReopensAsTheyComplete() {
        Initiator i = loggedIn();
        i.takePowerOn();
        int maxCmdSn = 0;
        for (int n = 1; n <= 4; n++) {
            i.send(Initiator.read10(0x70 + n, n, 1));
        }
        assertThat(server.io).hasSize(4);
        // A ping with I=1 reports the window: ExpCmdSN 5, MaxCmdSN stuck at 4 (closed).
        i.send(new NopOut(true, 0, 0x80, Bhs.RESERVED_TAG, 5, 0, Unpooled.EMPTY_BUFFER));
        NopIn closed = i.only(NopIn.class);
        assertThat(closed.expCmdSn()).isEqualTo(5);
        assertThat(closed.maxCmdSn()).as("MaxCmdSN = ExpCmdSN - 1: no room").isEqualTo(4);
        closed.release();
        // A command beyond MaxCmdSN is dropped silently (RFC 7143 §4.2.2.1).
        i.send(Initiator.read10(0x90, 5, 1));
        assertThat(i.responses()).isEmpty();
        assertThat(server.io).hasSize(4);
        server.runIo();
        List<Pdu> out = i.responses();
        assertThat(out).hasSize(4);
        for (Pdu p : out) {
            maxCmdSn = Math.max(maxCmdSn, ((io.platter.iscsi.pdu.DataIn) p).maxCmdSn());
            p.release();
        }
        assertThat(maxCmdSn).as("the window reopens as commands complete").isEqualTo(8);
    }

    @Test
    void peerThatDisappearsMidWriteLeavesNothingBehind() {
        Initiator i = loggedIn("InitialR2T", "Yes", "ImmediateData", "Yes");
        // 8 blocks with 512 bytes of immediate data: the rest needs an R2T that never gets its Data-Out.
        i.send(Initiator.write10(0xa0, 1, 8, Unpooled.wrappedBuffer(new byte[512])));
        List<Pdu> out = i.responses();
        assertThat(out).singleElement().isInstanceOf(io.platter.iscsi.pdu.ReadyToTransfer.class);
        out.forEach(Pdu::release);
        i.ch.close();
        assertThat(server.sessions.all()).isEmpty();
        assertThat(server.io).isEmpty();
    }

    @Test
    void commandStatusCarriesTheSessionWindow() {
        Initiator i = loggedIn();
        i.send(Initiator.testUnitReady(0xb0, 1));
        ScsiResponsePdu r = i.only(ScsiResponsePdu.class);
        assertThat(r.expCmdSn()).isEqualTo(2);
        assertThat(r.maxCmdSn()).isEqualTo(5);
        r.release();
    }
}

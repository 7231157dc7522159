package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.ReadyToTransfer;
import io.platter.iscsi.pdu.Reject;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.iscsi.pdu.SnackRequest;
import io.platter.scsi.ScsiStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ERL 1 SNACKs (RFC 7143 §6.7, §11.16): Data-In, R2T and status resent from what the connection kept. */
class SnackTest {
    static final long ISID = 0x0002_3d00_0007L;

    private final Server server = new Server();
    private final Initiator initiator = new Initiator(server);
    private final List<Pdu> held = new ArrayList<>();

    @AfterEach
    void finish() {
        held.forEach(Pdu::release);
        initiator.finish();
        server.runIo();
    }

    private void login(String erl) {
        assertThat(initiator.login(Server.TARGET, ISID, 0, 1, 1, "ErrorRecoveryLevel", erl,
                "MaxRecvDataSegmentLength", "1024").statusClass()).isZero();
    }

    private List<Pdu> responses() {
        server.runIo();
        List<Pdu> pdus = initiator.responses();
        held.addAll(pdus);
        return pdus;
    }

    private <T extends Pdu> T only(Class<T> type) {
        List<Pdu> pdus = responses();
        assertThat(pdus).hasSize(1).first().isInstanceOf(type);
        return type.cast(pdus.get(0));
    }

    private static SnackRequest snack(int type, int itt, int begRun, int runLength, int expStatSn) {
        return new SnackRequest(type, 0, itt, Bhs.RESERVED_TAG, expStatSn, begRun, runLength, Unpooled.EMPTY_BUFFER);
    }

    /** The POWER ON unit attention of the new nexus answers the first command: a status to SNACK for. */
    private ScsiResponsePdu powerOn() {
        initiator.send(Initiator.testUnitReady(0x10, 1));
        ScsiResponsePdu r = only(ScsiResponsePdu.class);
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION.wire());
        return r;
    }

    @Test
    void dataSnackResendsTheDataInOfTheRunWithTheSameDataSnOffsetsAndBytes() {
        login("1");
        ScsiResponsePdu first = powerOn();
        initiator.send(Initiator.read10(0x11, 2, 8));
        List<Pdu> dataIn = responses();
        assertThat(dataIn).hasSize(4).allSatisfy(p -> assertThat(p).isInstanceOf(DataIn.class));
        assertThat(((DataIn) dataIn.get(3)).hasStatus()).isTrue();

        initiator.send(snack(SnackRequest.DATA_R2T, 0x11, 1, 2, first.statSn() + 1));
        List<Pdu> again = responses();
        assertThat(again).hasSize(2);
        for (int i = 0; i < 2; i++) {
            DataIn original = (DataIn) dataIn.get(1 + i);
            DataIn resent = (DataIn) again.get(i);
            assertThat(resent.dataSn()).isEqualTo(1 + i);
            assertThat(resent.bufferOffset()).isEqualTo(original.bufferOffset());
            assertThat(ByteBufUtil.equals(resent.data(), original.data())).isTrue();
        }
    }

    @Test
    void statusSnackResendsTheResponseUntilExpStatSnAcknowledgesIt() {
        login("1");
        ScsiResponsePdu first = powerOn();

        initiator.send(snack(SnackRequest.STATUS, 0, first.statSn(), 1, first.statSn()));
        ScsiResponsePdu again = only(ScsiResponsePdu.class);
        assertThat(again.statSn()).isEqualTo(first.statSn());
        assertThat(again.itt()).isEqualTo(0x10);
        assertThat(again.status()).isEqualTo(first.status());
        assertThat(ByteBufUtil.equals(again.data(), first.data())).as("same sense").isTrue();

        // A ping carrying ExpStatSN past the status acknowledges it: it is no longer kept.
        initiator.send(new NopOut(true, 0, Bhs.RESERVED_TAG, Bhs.RESERVED_TAG, 2, first.statSn() + 1,
                Unpooled.EMPTY_BUFFER));
        initiator.send(snack(SnackRequest.STATUS, 0, first.statSn(), 1, first.statSn() + 1));
        Reject reject = only(Reject.class);
        assertThat(reject.reason()).isEqualTo(RejectReason.SNACK_REJECT.wire());
        assertThat(initiator.ch.isOpen()).isTrue();
    }

    @Test
    void r2tSnackResendsTheOutstandingR2t() {
        login("1");
        ScsiResponsePdu first = powerOn();
        initiator.send(Initiator.write10(0x12, 2, 2, Unpooled.EMPTY_BUFFER));
        ReadyToTransfer r2t = only(ReadyToTransfer.class);
        initiator.send(snack(SnackRequest.DATA_R2T, 0x12, r2t.r2tSn(), 1, first.statSn() + 1));
        ReadyToTransfer again = only(ReadyToTransfer.class);
        assertThat(again.ttt()).isEqualTo(r2t.ttt());
        assertThat(again.r2tSn()).isEqualTo(r2t.r2tSn());
        assertThat(again.bufferOffset()).isEqualTo(r2t.bufferOffset());
        assertThat(again.desiredLength()).isEqualTo(r2t.desiredLength()).isEqualTo(1024);
    }

    @Test
    void aDataOutWithABadDataDigestIsAskedForAgainWithARecoveryR2t() {
        assertThat(initiator.login(Server.TARGET, ISID, 0, 1, 1, "ErrorRecoveryLevel", "1",
                "DataDigest", "CRC32C").statusClass()).isZero();
        initiator.dataDigest = true;
        ScsiResponsePdu first = powerOn();
        initiator.send(Initiator.write10(0x13, 2, 2, Unpooled.EMPTY_BUFFER));
        ReadyToTransfer r2t = only(ReadyToTransfer.class);
        assertThat(r2t.desiredLength()).isEqualTo(1024);

        io.netty.buffer.ByteBuf bad = io.platter.iscsi.pdu.PduEncoder.encode(
                io.netty.buffer.PooledByteBufAllocator.DEFAULT, new io.platter.iscsi.pdu.DataOut(true, 0, 0x13,
                        r2t.ttt(), first.statSn() + 1, 0, 0, Unpooled.wrappedBuffer(new byte[1024])), false, true);
        bad.setByte(Bhs.SIZE + 100, 0x5a); // damaged on the wire: the digest no longer matches
        initiator.send(bad);
        List<Pdu> answer = responses();
        assertThat(answer).hasSize(2);
        assertThat(answer.get(0)).isInstanceOfSatisfying(Reject.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR.wire()));
        ReadyToTransfer recovery = (ReadyToTransfer) answer.get(1);
        assertThat(recovery.ttt()).isNotEqualTo(r2t.ttt());
        assertThat(recovery.bufferOffset()).isZero();
        assertThat(recovery.desiredLength()).isEqualTo(1024);
        assertThat(recovery.r2tSn()).isEqualTo(r2t.r2tSn() + 1);
        assertThat(initiator.ch.isOpen()).isTrue();

        initiator.send(new io.platter.iscsi.pdu.DataOut(true, 0, 0x13, recovery.ttt(), first.statSn() + 1, 0, 0,
                Unpooled.wrappedBuffer(new byte[1024])));
        ScsiResponsePdu done = only(ScsiResponsePdu.class);
        assertThat(done.itt()).isEqualTo(0x13);
        assertThat(done.status()).isEqualTo(ScsiStatus.GOOD.wire());
    }

    @Test
    void aSnackForWhatWasNeverSentIsRejected() {
        login("1");
        powerOn();
        initiator.send(snack(SnackRequest.DATA_R2T, 0x99, 0, 0, 0));
        assertThat(only(Reject.class).reason()).isEqualTo(RejectReason.SNACK_REJECT.wire());
    }

    @Test
    void atErl0ASnackIsAProtocolErrorAndNothingIsKept() {
        login("0");
        ScsiResponsePdu first = powerOn();
        initiator.send(snack(SnackRequest.STATUS, 0, first.statSn(), 1, first.statSn()));
        assertThat(only(Reject.class).reason()).isEqualTo(RejectReason.PROTOCOL_ERROR.wire());
        assertThat(initiator.ch.isOpen()).isTrue();
    }
}

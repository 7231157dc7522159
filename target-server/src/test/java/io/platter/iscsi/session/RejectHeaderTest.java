package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataOut;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.Reject;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.SnackRequest;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 7143 §11.17: every Reject of the full feature phase carries the complete header of the PDU
 * it rejects, byte for byte as it arrived. Each sent PDU has a reserved byte set, so a header
 * rebuilt from the decoded fields would differ from the one received.
 */
class RejectHeaderTest {
    private final Server server = new Server(ServerLimits.defaults().withCommandWindow(4));
    private Initiator initiator;

    @AfterEach
    void finish() {
        if (initiator != null) {
            initiator.finish();
        }
        server.runIo();
    }

    private Initiator loggedIn() {
        initiator = new Initiator(server);
        assertThat(initiator.login(Server.TARGET, 0x0002_3d00_0002L, 0, 1, 1).statusClass()).isZero();
        return initiator;
    }

    /** Sends {@code pdu} with reserved byte {@code reserved} set; returns the 48 header bytes sent. */
    private byte[] sendMarked(Pdu pdu, int reserved) {
        ByteBuf wire = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false);
        wire.setByte(reserved, 0x5a);
        byte[] header = new byte[Bhs.SIZE];
        wire.getBytes(0, header);
        initiator.send(wire);
        return header;
    }

    private void assertRejected(int reason, byte[] sent) {
        Reject r = initiator.only(Reject.class);
        try {
            assertThat(r.reason()).isEqualTo(reason);
            assertThat(r.data().readableBytes()).as("DataSegmentLength").isEqualTo(Bhs.SIZE);
            assertThat(ByteBufUtil.getBytes(r.data())).as("the rejected header").isEqualTo(sent);
        } finally {
            r.release();
        }
    }

    @Test
    void dataOutForAnUnknownTaskIsRejectedWithItsHeader() {
        loggedIn();
        // Bytes 2-3 of a Data-Out are reserved (§11.7).
        byte[] sent = sendMarked(new DataOut(true, 0, 0x7777, Bhs.RESERVED_TAG, 0, 0, 0,
                Unpooled.wrappedBuffer(new byte[512])), 3);
        assertRejected(RejectReason.INVALID_PDU_FIELD.wire(), sent);
        assertThat(initiator.ch.isOpen()).isTrue();
    }

    @Test
    void loginRequestInFullFeaturePhaseIsRejectedWithItsHeader() {
        loggedIn();
        // Bytes 22-23 of a Login Request are reserved (§11.12).
        byte[] sent = sendMarked(new LoginRequest(true, false, 1, 3, 0, 0, 0x0002_3d00_0002L, 0, 0x99, 1, 2, 0,
                Unpooled.EMPTY_BUFFER), 22);
        assertRejected(RejectReason.PROTOCOL_ERROR.wire(), sent);
        assertThat(initiator.ch.isOpen()).isTrue();
    }

    @Test
    void readWithImmediateDataIsRejectedWithItsHeaderAndTheConnectionCloses() {
        loggedIn();
        byte[] cdb = new byte[16];
        cdb[0] = 0x28; // READ(10) of one block
        cdb[8] = 1;
        // Bytes 2-3 of a SCSI Command are reserved (§11.3).
        byte[] sent = sendMarked(new ScsiCommandPdu(false, true, true, false, 1, 0, 0x42, 512, 1, 0, cdb,
                Unpooled.wrappedBuffer(new byte[512])), 2);
        assertRejected(RejectReason.PROTOCOL_ERROR.wire(), sent);
        assertThat(initiator.ch.isOpen()).isFalse();
    }

    @Test
    void snackAtErl0IsRejectedWithTheHeaderReceivedNotARebuiltOne() {
        loggedIn();
        // Bytes 2-3 of a SNACK Request are reserved (§11.16).
        byte[] sent = sendMarked(new SnackRequest(1, 0, Bhs.RESERVED_TAG, Bhs.RESERVED_TAG, 0, 0, 0,
                Unpooled.EMPTY_BUFFER), 2);
        assertRejected(RejectReason.PROTOCOL_ERROR.wire(), sent);
        byte[] rebuilt = PduEncoder.header(new SnackRequest(1, 0, Bhs.RESERVED_TAG, Bhs.RESERVED_TAG, 0, 0, 0,
                Unpooled.EMPTY_BUFFER));
        assertThat(Arrays.equals(rebuilt, sent)).as("the marked header differs from a rebuilt one").isFalse();
    }

    @Test
    void taskTagInUseIsRejectedWithItsHeader() {
        Initiator i = loggedIn();
        i.takePowerOn();
        i.send(Initiator.read10(0x60, 1, 1));
        byte[] sent = sendMarked(Initiator.read10(0x60, 2, 1), 2);
        assertRejected(RejectReason.TASK_IN_PROGRESS.wire(), sent);
        server.runIo();
        i.drain();
    }
}

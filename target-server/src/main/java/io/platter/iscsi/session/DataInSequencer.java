package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;

/**
 * Data-In sequencing and status on one connection (RFC 7143 §10.4, §11.4, §11.7): a completed
 * command's Data-In cut into PDUs of at most MaxXmitDataSegmentLength inside bursts of
 * MaxBurstLength, with DataSN counting on from its R2Ts, status in the last Data-In when it is
 * GOOD (phase collapse) and a SCSI Response otherwise, residuals against the expected length, and
 * each PDU recorded for SNACKs at ERL 1.
 *
 * <p>Confined to the connection's event loop. Takes ownership of nothing: the caller releases the
 * Data-In buffer it passes, and each Data-In PDU carries its own retained slice.
 */
final class DataInSequencer {
    private final Connection connection;
    private final Retransmissions history;

    DataInSequencer(Connection connection, Retransmissions history) {
        this.connection = connection;
        this.history = history;
    }

    /** Sends the Data-In and status of a completed command (the caller keeps and releases {@code dataIn}). */
    void send(CommandTask task, ScsiResponse response, ByteBuf dataIn) {
        ScsiCommandPdu pdu = task.command;
        int produced = dataIn == null ? 0 : dataIn.readableBytes();
        int allowed = pdu.read() ? pdu.expectedDataTransferLength() : 0;
        int sent = Math.min(produced, allowed);
        int residualFlags = 0;
        int residual = 0;
        if (pdu.write() && response.dataOutLength() >= 0) {
            // Residuals of a write compare the CDB's transfer length with the EDTL (RFC 7143 §11.4.5).
            int wanted = response.dataOutLength();
            int expected = pdu.expectedDataTransferLength();
            if (wanted > expected) {
                residualFlags = ScsiResponsePdu.OVERFLOW;
                residual = wanted - expected;
            } else if (wanted < expected) {
                residualFlags = ScsiResponsePdu.UNDERFLOW;
                residual = expected - wanted;
            }
        } else if (pdu.read() || produced > 0) {
            if (produced > allowed) {
                residualFlags = ScsiResponsePdu.OVERFLOW;
                residual = produced - allowed;
            } else if (produced < allowed) {
                residualFlags = ScsiResponsePdu.UNDERFLOW;
                residual = allowed - produced;
            }
        }
        boolean good = response.status() == ScsiStatus.GOOD;
        if (sent > 0) {
            dataIn(task, dataIn, sent, good, response.status().wire(), residualFlags, residual);
        }
        if (sent == 0 || !good) {
            status(task, response.status().wire(), response.sense(), residualFlags, residual);
        }
    }

    private void dataIn(CommandTask task, ByteBuf data, int length, boolean withStatus, int status,
                        int residualFlags, int residual) {
        int segment = connection.parameters().maxXmitDataSegmentLength();
        int burst = connection.session().parameters().maxBurstLength();
        int offset = 0;
        while (offset < length) {
            int burstEnd = Math.min(length, (offset / burst + 1) * burst);
            int n = Math.min(segment, burstEnd - offset);
            boolean last = offset + n == length;
            int flags = (last || offset + n == burstEnd) ? Bhs.FINAL : 0;
            int statSn = 0;
            int residualField = 0;
            if (last && withStatus) {
                flags |= DataIn.STATUS | residualFlags;
                statSn = connection.nextStatSn();
                residualField = residual;
            }
            DataIn pdu = new DataIn(flags, last && withStatus ? status : 0, task.lunField, task.itt,
                    Bhs.RESERVED_TAG, statSn, connection.expCmdSn(), connection.maxCmdSn(), task.dataSn++, offset,
                    residualField, data.retainedSlice(data.readerIndex() + offset, n));
            history.dataIn(pdu);
            connection.write(pdu);
            offset += n;
        }
    }

    /** A SCSI Response (RFC 7143 §11.4) with {@code sense} (built by the SCSI core) or none. */
    void status(CommandTask task, int status, byte[] sense, int residualFlags, int residual) {
        ByteBuf senseData = Unpooled.EMPTY_BUFFER;
        if (sense != null) {
            // Sense data segment: SenseLength then the sense bytes (RFC 7143 §11.4.7.2).
            senseData = connection.channel().alloc().buffer(2 + sense.length);
            senseData.writeShort(sense.length).writeBytes(sense);
        }
        ScsiResponsePdu pdu = new ScsiResponsePdu(residualFlags, 0, status, task.itt, 0, connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), task.dataSn, 0, residual, senseData);
        history.response(pdu);
        connection.write(pdu);
    }
}

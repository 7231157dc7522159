package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Opcode;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.SnackRequest;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Within-command and within-connection recovery at ErrorRecoveryLevel 1 (RFC 7143 §6.7, §7.1.4,
 * §7.4): SNACKs answered from the connection's {@link Retransmissions}, and a Data-Out with a data
 * digest error asked for again with a recovery R2T. At ERL 0 the history keeps nothing, SNACKs are
 * rejected and digest errors are handled as protocol errors.
 *
 * <p>Confined to the connection's event loop. Owns the history and releases it with {@link #release()}.
 */
final class Erl1Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Erl1Recovery.class);

    private final Connection connection;
    private final Retransmissions history;
    private final DataOutCollector dataOut;

    Erl1Recovery(Connection connection, boolean enabled, DataOutCollector dataOut) {
        this.connection = connection;
        this.history = new Retransmissions(enabled);
        this.dataOut = dataOut;
    }

    /** What was sent and may be asked for again (recorded by the Data-In sequencing). */
    Retransmissions history() {
        return history;
    }

    /** The initiator has every status before {@code expStatSn}: what it acknowledges is forgotten. */
    void acknowledge(int expStatSn) {
        history.acknowledge(expStatSn);
    }

    /**
     * A solicited Data-Out with a data digest error is discarded and asked for again (RFC 7143
     * §7.8.1, §11.8): the Reject, then a recovery R2T with a fresh TTT for the rest of its burst,
     * whose remaining Data-Out under the old TTT is dropped. False when this does not apply (ERL 0,
     * another PDU, data not in order): the error is then handled as at ERL 0.
     */
    boolean recoverDataOut(ProtocolException e, Map<Integer, CommandTask> tasks) {
        byte[] header = e.rejectedHeader();
        if (!history.enabled() || e.reason() != RejectReason.DATA_DIGEST_ERROR
                || (header[0] & 0x3f) != Opcode.DATA_OUT.code()) {
            return false;
        }
        ByteBuf h = Unpooled.wrappedBuffer(header);
        int itt = h.getInt(16);
        int ttt = h.getInt(20);
        int offset = h.getInt(40);
        CommandTask task = tasks.get(itt);
        if (task == null || !dataOut.resumable(task, ttt, offset)) {
            return false;
        }
        LOG.info("data digest error in Data-Out ITT {} offset {} on {}: recovery R2T", itt, offset,
                connection.session());
        connection.reject(e);
        dataOut.reissue(task, ttt, offset);
        return true;
    }

    /**
     * Resends what a SNACK names (RFC 7143 §11.16): Data-In by DataSN or R2Ts by R2TSN (type 0),
     * SCSI Responses by StatSN (type 1); a DataACK (type 2) frees the task's Data-In; R-Data (type
     * 3) resends all of it unchanged. At ERL 0, or for what is no longer kept, the SNACK is rejected.
     */
    void onSnack(SnackRequest snack, Map<Integer, CommandTask> tasks) throws ProtocolException {
        try {
            resend(snack, tasks);
        } finally {
            snack.release(); // after any Reject has copied its header
        }
    }

    private void resend(SnackRequest snack, Map<Integer, CommandTask> tasks) throws ProtocolException {
        if (!history.enabled()) {
            throw snackReject(RejectReason.PROTOCOL_ERROR, "SNACK at ErrorRecoveryLevel 0", snack);
        }
        history.acknowledge(snack.expStatSn());
        List<? extends Pdu> resend = switch (snack.type()) {
            case SnackRequest.DATA_R2T -> {
                CommandTask task = tasks.get(snack.itt());
                yield task != null && task.writing() ? dataOut.r2ts(task, snack.begRun(), snack.runLength())
                        : history.dataIn(snack.itt(), snack.begRun(), snack.runLength(), connection.expCmdSn(),
                        connection.maxCmdSn());
            }
            case SnackRequest.STATUS -> history.statuses(snack.begRun(), snack.runLength(),
                    connection.currentStatSn(), connection.expCmdSn(), connection.maxCmdSn());
            case SnackRequest.DATA_ACK -> {
                history.dataAcknowledged(snack.itt());
                yield List.of();
            }
            case SnackRequest.R_DATA -> history.dataIn(snack.itt(), 0, 0, connection.expCmdSn(),
                    connection.maxCmdSn());
            default -> null;
        };
        if (resend == null) {
            throw snackReject(RejectReason.SNACK_REJECT, "SNACK type " + snack.type() + " for ITT "
                    + Integer.toHexString(snack.itt()) + " run " + snack.begRun() + "+" + snack.runLength()
                    + ": not available", snack);
        }
        LOG.debug("SNACK type {} on {}: resending {} PDU(s)", snack.type(), connection.session(), resend.size());
        resend.forEach(connection::write);
    }

    private static ProtocolException snackReject(RejectReason reason, String message, SnackRequest snack) {
        return ProtocolException.rejecting(reason, message, snack);
    }

    /** The connection is gone: everything kept is released. */
    void release() {
        history.release();
    }
}

package io.platter.iscsi.session;

import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataOut;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ReadyToTransfer;
import io.platter.iscsi.pdu.RejectReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-Out collection on one connection (RFC 7143 §4.2.2.4, §11.7, §11.8): R2Ts up to
 * MaxOutstandingR2T for the data beyond the unsolicited part, each Data-Out checked against its
 * burst or the unsolicited sequence (DataPDUInOrder, BufferOffset, DataSN), and the bursts that a
 * recovery R2T replaced at ERL 1. The gathered data itself lives in each {@link CommandTask}.
 *
 * <p>Confined to the connection's event loop.
 */
final class DataOutCollector {
    private static final Logger LOG = LoggerFactory.getLogger(DataOutCollector.class);

    private final Connection connection;
    private final Session session;
    private final ConnectionLog log;
    /** Outstanding bursts of this connection's tasks, by TTT. */
    private final Map<Integer, CommandTask.Burst> bursts = new HashMap<>();
    /** TTTs of bursts replaced by a recovery R2T, by ITT: their late Data-Out is discarded. */
    private final Map<Integer, Integer> retiredTtts = new HashMap<>();

    DataOutCollector(Connection connection, ConnectionLog log) {
        this.connection = connection;
        this.session = connection.session();
        this.log = log;
    }

    /** Issues R2Ts up to MaxOutstandingR2T (RFC 7143 §13.17) for data beyond the unsolicited part. */
    void solicit(CommandTask task) {
        if (task.held || task.overBudget) {
            return;
        }
        var p = session.parameters();
        while (task.bursts.size() < p.maxOutstandingR2T() && task.nextR2tOffset < task.expectedLength) {
            int length = Math.min(p.maxBurstLength(), task.expectedLength - task.nextR2tOffset);
            r2t(task, task.nextR2tOffset, length);
            task.nextR2tOffset += length;
        }
    }

    private void r2t(CommandTask task, int offset, int length) {
        int ttt = connection.nextTtt();
        CommandTask.Burst burst = new CommandTask.Burst(ttt, offset, length, task.r2tSn);
        task.bursts.add(burst);
        bursts.put(ttt, burst);
        connection.write(new ReadyToTransfer(task.lunField, task.itt, ttt, connection.currentStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), task.r2tSn++, offset, length));
        task.dataSn++;
    }

    /**
     * Takes one Data-Out PDU and its data (ownership passes here): appended to its task, or dropped
     * (an aborted task, the rest of a burst a recovery R2T asked for again). Returns the task whose
     * data advanced, or {@code null}. A DataSN out of sequence fails only its command (ERL 0 cannot
     * ask for the PDU again, RFC 7143 §7.1.4.2): its data is drained and it ends in CHECK CONDITION.
     */
    CommandTask receive(DataOut out, Map<Integer, CommandTask> tasks) throws ProtocolException {
        CommandTask task = tasks.get(out.itt());
        Integer retiredFor = retiredTtts.get(out.ttt());
        if (retiredFor != null) {
            if (task != null && retiredFor == out.itt()) {
                out.release(); // the rest of a burst asked for again by a recovery R2T
                return null;
            }
            retiredTtts.remove(out.ttt());
        }
        if (task != null && task.aborted) {
            out.release();
            return null;
        }
        try {
            if (task == null || !task.writing() || task.executing) {
                throw ProtocolException.rejecting(RejectReason.INVALID_PDU_FIELD, "Data-Out for unknown ITT "
                        + out.itt(), out);
            }
            int length = out.data().readableBytes();
            if (out.bufferOffset() != task.received() || task.received() + length > task.expectedLength) {
                throw ProtocolException.rejectingAndClosing(RejectReason.PROTOCOL_ERROR, "Data-Out offset "
                        + out.bufferOffset() + "+" + length + ", expected " + task.received() + " (DataPDUInOrder)",
                        out);
            }
            int expectedDataSn = out.ttt() == Bhs.RESERVED_TAG ? unsolicited(task, out, length)
                    : solicited(task, out, length);
            if (out.dataSn() != expectedDataSn && !task.dataPhaseError) {
                if (log.admit(ConnectionLog.Kind.DATA_OUT_ERROR)) {
                    LOG.info("Data-Out DataSN {} (expected {}) for ITT {} on {}: failing the command",
                            out.dataSn(), expectedDataSn, task.itt, session);
                }
                task.dataPhaseError = true;
                task.release();
            }
            task.append(out.data().retain());
        } finally {
            out.data().release();
        }
        return task;
    }

    private int unsolicited(CommandTask task, DataOut out, int length) throws ProtocolException {
        if (out.bufferOffset() + length > task.unsolicitedEnd || session.parameters().initialR2T()) {
            throw ProtocolException.rejectingAndClosing(RejectReason.PROTOCOL_ERROR,
                    "unsolicited data beyond FirstBurstLength", out);
        }
        return task.unsolicitedDataSn++;
    }

    private int solicited(CommandTask task, DataOut out, int length) throws ProtocolException {
        CommandTask.Burst burst = bursts.get(out.ttt());
        if (burst == null || !task.bursts.contains(burst) || burst.received + length > burst.length) {
            throw ProtocolException.rejecting(RejectReason.INVALID_PDU_FIELD, "Data-Out for unknown TTT "
                    + "or beyond its R2T", out);
        }
        int expected = burst.nextDataSn++;
        burst.received += length;
        if (burst.received == burst.length) {
            task.bursts.remove(burst);
            bursts.remove(burst.ttt);
        }
        return expected;
    }

    /** A task that will take no more Data-Out (aborted): its bursts are forgotten. */
    void forget(CommandTask task) {
        task.bursts.forEach(b -> bursts.remove(b.ttt));
    }

    /** A task that starts executing: no late Data-Out of a burst it had replaced is expected any more. */
    void executing(CommandTask task) {
        if (!retiredTtts.isEmpty()) {
            retiredTtts.values().removeIf(itt -> itt == task.itt);
        }
    }

    /** Whether {@code ttt} is an outstanding burst of {@code task} whose data has arrived up to {@code offset}. */
    boolean resumable(CommandTask task, int ttt, int offset) {
        CommandTask.Burst burst = bursts.get(ttt);
        return burst != null && task.bursts.contains(burst) && !task.executing && offset == task.received();
    }

    /**
     * Replaces the {@link #resumable} burst {@code ttt} of {@code task} from {@code offset} on by
     * a recovery R2T with a fresh TTT (RFC 7143 §7.8.1); the old TTT's remaining Data-Out will be
     * dropped.
     */
    void reissue(CommandTask task, int ttt, int offset) {
        CommandTask.Burst burst = bursts.remove(ttt);
        task.bursts.remove(burst);
        retiredTtts.put(ttt, task.itt);
        r2t(task, offset, burst.offset + burst.length - offset);
    }

    /** The R2Ts of {@code task} with R2TSN in the run whose data has not begun to arrive (R2T SNACK), or null. */
    List<ReadyToTransfer> r2ts(CommandTask task, int begRun, int runLength) {
        List<ReadyToTransfer> out = new ArrayList<>();
        for (CommandTask.Burst b : task.bursts) {
            boolean inRun = b.r2tSn - begRun >= 0 && (runLength == 0 || b.r2tSn - begRun < runLength);
            if (inRun && b.received == 0) {
                out.add(new ReadyToTransfer(task.lunField, task.itt, b.ttt, connection.currentStatSn(),
                        connection.expCmdSn(), connection.maxCmdSn(), b.r2tSn, b.offset, b.length));
            }
        }
        return out.isEmpty() ? null : out;
    }
}

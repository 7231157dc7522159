package io.platter.iscsi.session;

import io.netty.util.ReferenceCountUtil;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What an ERL 1 initiator may ask this connection to send again (RFC 7143 §6.7, §7.4, §11.16):
 * every SCSI Response and every Data-In of a task, kept until the initiator's ExpStatSN
 * acknowledges the task's status (or a DataACK SNACK its data). Bounded: past
 * {@link #MAX_STATUSES} statuses or {@link #MAX_BYTES} of data the oldest task is forgotten, and a
 * SNACK for it is then rejected. At ERL 0 nothing is kept. Confined to the connection's event loop.
 *
 * <p>Ownership: each recorded PDU's data is kept as a retained duplicate (its own indexes) and
 * released when the entry is forgotten; the PDUs handed out for resending carry their own retained slices.
 */
final class Retransmissions {
    static final int MAX_STATUSES = 256;
    static final long MAX_BYTES = 64L << 20;

    /** A task's status (by StatSN) and the Data-In PDUs it was sent with. */
    private static final class Entry {
        final int itt;
        final List<DataIn> dataIn = new ArrayList<>();
        Pdu status;
        int statSn;

        Entry(int itt) {
            this.itt = itt;
        }
    }

    private final boolean enabled;
    /** Tasks whose Data-In is being sent, not yet with status. */
    private final Map<Integer, Entry> open = new HashMap<>();
    /** Tasks with status sent, oldest StatSN first. */
    private final Deque<Entry> answered = new ArrayDeque<>();
    private long bytes;

    Retransmissions(boolean enabled) {
        this.enabled = enabled;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * Records a Data-In about to be written (with or without status); keeps a retained duplicate of
     * its data, since the socket write moves the written buffer's reader index.
     */
    void dataIn(DataIn written) {
        if (!enabled) {
            return;
        }
        DataIn pdu = new DataIn(written.flags(), written.status(), written.lun(), written.itt(), written.ttt(),
                written.statSn(), written.expCmdSn(), written.maxCmdSn(), written.dataSn(), written.bufferOffset(),
                written.residual(), written.data().retainedDuplicate());
        Entry e = open.computeIfAbsent(pdu.itt(), Entry::new);
        e.dataIn.add(pdu);
        bytes += pdu.data().readableBytes();
        if (pdu.hasStatus()) {
            answered(e, pdu, pdu.statSn());
        }
    }

    /** Records a SCSI Response about to be written; keeps a retained duplicate of its data (see {@link #dataIn}). */
    void response(ScsiResponsePdu written) {
        if (!enabled) {
            return;
        }
        ScsiResponsePdu pdu = new ScsiResponsePdu(written.flags(), written.response(), written.status(), written.itt(),
                written.snackTag(), written.statSn(), written.expCmdSn(), written.maxCmdSn(), written.expDataSn(),
                written.bidiResidual(), written.residual(), written.data().retainedDuplicate());
        Entry e = open.computeIfAbsent(pdu.itt(), Entry::new);
        bytes += pdu.data().readableBytes();
        answered(e, pdu, pdu.statSn());
    }

    private void answered(Entry e, Pdu status, int statSn) {
        open.remove(e.itt);
        e.status = status;
        e.statSn = statSn;
        answered.addLast(e);
        while (!answered.isEmpty() && (answered.size() > MAX_STATUSES || bytes > MAX_BYTES)) {
            forget(answered.removeFirst());
        }
    }

    /** The initiator has every status before {@code expStatSn} (serial arithmetic, RFC 1982). */
    void acknowledge(int expStatSn) {
        while (!answered.isEmpty() && answered.peekFirst().statSn - expStatSn < 0) {
            forget(answered.removeFirst());
        }
    }

    /** A DataACK SNACK (§11.16.1): the Data-In of {@code itt} is no longer needed. */
    void dataAcknowledged(int itt) {
        for (Entry e : answered) {
            if (e.itt == itt) {
                dropData(e);
            }
        }
    }

    /**
     * Fresh copies of the Data-In PDUs of {@code itt} with DataSN in [begRun, begRun + runLength)
     * (runLength 0: to the end), with the current window; null if the task is not kept.
     */
    List<DataIn> dataIn(int itt, int begRun, int runLength, int expCmdSn, int maxCmdSn) {
        Entry e = open.get(itt);
        if (e == null) {
            for (Entry a : answered) {
                if (a.itt == itt) {
                    e = a;
                }
            }
        }
        if (e == null || e.dataIn.isEmpty()) {
            return null;
        }
        List<DataIn> out = new ArrayList<>();
        for (DataIn d : e.dataIn) {
            if (inRun(d.dataSn(), begRun, runLength)) {
                out.add(new DataIn(d.flags(), d.status(), d.lun(), d.itt(), d.ttt(), d.statSn(), expCmdSn, maxCmdSn,
                        d.dataSn(), d.bufferOffset(), d.residual(), d.data().retainedSlice()));
            }
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * Fresh copies of the statuses with StatSN in [begRun, begRun + runLength) (runLength 0: to
     * the end), with the current window; null if any of them is no longer kept.
     */
    List<Pdu> statuses(int begRun, int runLength, int nextStatSn, int expCmdSn, int maxCmdSn) {
        int end = runLength == 0 ? nextStatSn : begRun + runLength;
        List<Pdu> out = new ArrayList<>();
        for (int sn = begRun; sn - end < 0; sn++) {
            Entry found = null;
            for (Entry e : answered) {
                if (e.statSn == sn) {
                    found = e;
                }
            }
            if (found == null) {
                out.forEach(ReferenceCountUtil::release);
                return null;
            }
            out.add(copy(found.status, expCmdSn, maxCmdSn));
        }
        return out;
    }

    private static Pdu copy(Pdu pdu, int expCmdSn, int maxCmdSn) {
        if (pdu instanceof DataIn d) {
            return new DataIn(d.flags(), d.status(), d.lun(), d.itt(), d.ttt(), d.statSn(), expCmdSn, maxCmdSn,
                    d.dataSn(), d.bufferOffset(), d.residual(), d.data().retainedSlice());
        }
        ScsiResponsePdu r = (ScsiResponsePdu) pdu;
        return new ScsiResponsePdu(r.flags(), r.response(), r.status(), r.itt(), r.snackTag(), r.statSn(), expCmdSn,
                maxCmdSn, r.expDataSn(), r.bidiResidual(), r.residual(), r.data().retainedSlice());
    }

    private static boolean inRun(int sn, int begRun, int runLength) {
        return sn - begRun >= 0 && (runLength == 0 || sn - begRun < runLength);
    }

    /** How many tasks are kept (tests). */
    int size() {
        return open.size() + answered.size();
    }

    /** Bytes of data kept (tests). */
    long bytes() {
        return bytes;
    }

    private void dropData(Entry e) {
        for (Iterator<DataIn> it = e.dataIn.iterator(); it.hasNext(); ) {
            DataIn d = it.next();
            if (d != e.status) {
                bytes -= d.data().readableBytes();
                d.data().release();
                it.remove();
            }
        }
    }

    private void forget(Entry e) {
        for (DataIn d : e.dataIn) {
            bytes -= d.data().readableBytes();
            d.data().release();
        }
        e.dataIn.clear();
        if (e.status instanceof ScsiResponsePdu r) {
            bytes -= r.data().readableBytes();
            r.data().release();
        }
    }

    /** Forgets everything (the connection is gone). */
    void release() {
        answered.forEach(this::forget);
        answered.clear();
        open.values().forEach(this::forget);
        open.clear();
    }
}

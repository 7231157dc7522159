package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One SCSI command on its way through the connection (RFC 7143 §4.2.2.4): its Data-Out buffer
 * as it is gathered from immediate data, unsolicited Data-Out and solicited bursts, and the R2Ts
 * still outstanding. Confined to the connection's event loop; owns {@link #data} until it is
 * handed to the SCSI core.
 */
final class CommandTask {
    final int itt;
    final long lunField;
    final int cmdSn;
    final ScsiCommandPdu command;
    final int expectedLength;
    /**
     * Data-Out gathered so far, in buffer-offset order (DataPDUInOrder=Yes): null before the
     * first piece, that piece itself while it is the only one (the usual immediate-data write),
     * then a composite of the pieces.
     */
    private ByteBuf data;
    /** For the composite once a second piece arrives; null when the command keeps no Data-Out. */
    private ByteBufAllocator alloc;
    private boolean gathered;
    /** Offset up to which the initiator may send without an R2T. */
    int unsolicitedEnd;
    /** DataSN expected next in the unsolicited sequence. */
    int unsolicitedDataSn;
    /** Offset of the next R2T to issue. */
    int nextR2tOffset;
    int r2tSn;
    final Deque<Burst> bursts = new ArrayDeque<>();
    boolean delivered;
    boolean executing;
    /** Aborted by task management: its completion sends nothing (RFC 7143 §11.5.1). */
    boolean aborted;
    /** Aborts that answer once this task, executing when it was aborted, has completed; or null. */
    private java.util.List<AbortBarrier> abortWaiters;
    /** Data-Out bytes received so far, kept or not. */
    int receivedBytes;
    /**
     * Set when the data transfer went wrong (a DataSN out of sequence): the rest of the data is
     * drained and the command ends in CHECK CONDITION, without dropping the connection.
     */
    boolean dataPhaseError;
    /** Data-In or R2T PDUs sent, for ExpDataSN in the SCSI Response (RFC 7143 §11.4.8). */
    int dataSn;
    /** Data-Out bytes reserved in the session's {@link SessionBudget}, given back when the data leaves. */
    private long reserved;
    private SessionBudget budget;
    /**
     * The session's Data-Out budget had no room for this write: it keeps none of its data, asks
     * for none, and ends in TASK SET FULL once its unsolicited data has arrived.
     */
    boolean overBudget;
    /** Holds one of the session's immediate-command slots until it leaves the connection. */
    boolean immediateSlot;
    /** Delivered, but waiting to start until the connection can take its Data-In (see {@code DataInGate}). */
    boolean held;
    /** Data-In bytes reserved at the connection's gate while it executes. */
    long dataInReserved;
    /** Where the command is accounted, and when it was handed to the SCSI core. */
    IscsiMetrics.LunMetrics metrics = IscsiMetrics.LunMetrics.NONE;
    long startNanos;

    /** @param alloc makes the composite of the Data-Out pieces; null for a command that keeps none */
    CommandTask(ScsiCommandPdu command, ByteBufAllocator alloc) {
        this.command = command;
        this.itt = command.itt();
        this.lunField = command.lun();
        this.cmdSn = command.cmdSn();
        this.expectedLength = command.expectedDataTransferLength();
        this.alloc = alloc;
    }

    /** {@code barrier} waits until this executing task completes (see {@link #ended()}). */
    void awaitedBy(AbortBarrier barrier) {
        if (abortWaiters == null) {
            abortWaiters = new java.util.ArrayList<>(1);
        }
        barrier.executing();
        abortWaiters.add(barrier);
    }

    /** The SCSI core completed this task: the aborts waiting for it may answer. */
    void ended() {
        if (abortWaiters != null) {
            java.util.List<AbortBarrier> waiting = abortWaiters;
            abortWaiters = null;
            waiting.forEach(AbortBarrier::ended);
        }
    }

    /**
     * Reserves the whole expected Data-Out in {@code budget}; when there is no room the task
     * becomes {@link #overBudget} and keeps no data.
     */
    void reserve(SessionBudget budget) {
        if (budget.reserveDataOut(expectedLength)) {
            this.budget = budget;
            this.reserved = expectedLength;
        } else {
            overBudget = true;
            alloc = null;
        }
    }

    private void unreserve() {
        if (reserved > 0) {
            budget.releaseDataOut(reserved);
            reserved = 0;
        }
    }

    int received() {
        return receivedBytes;
    }

    boolean writing() {
        return command.write() && expectedLength > 0;
    }

    boolean allDataReceived() {
        return !writing() || received() >= (overBudget ? unsolicitedEnd : expectedLength);
    }

    /** Takes ownership of {@code slice}; keeps it unless the data phase already failed. */
    void append(ByteBuf slice) {
        receivedBytes += slice.readableBytes();
        if (dataPhaseError || alloc == null) {
            slice.release();
        } else if (data == null) {
            data = slice;
        } else if (gathered) {
            ((CompositeByteBuf) data).addComponent(true, slice);
        } else {
            CompositeByteBuf all = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
            all.addComponent(true, data);
            all.addComponent(true, slice);
            data = all;
            gathered = true;
        }
    }

    /** Hands the gathered Data-Out (or null) to the caller, who then owns it; later pieces are dropped. */
    ByteBuf takeData() {
        ByteBuf out = data;
        data = null;
        alloc = null;
        unreserve();
        return out;
    }

    /** Drops the gathered Data-Out and any that still arrives. */
    void release() {
        alloc = null;
        if (data != null) {
            data.release();
            data = null;
        }
        unreserve();
    }

    /** A solicited burst: an R2T sent and the Data-Out it asks for. */
    static final class Burst {
        final int ttt;
        final int offset;
        final int length;
        int received;
        int nextDataSn;
        /** The R2TSN of the R2T, for an R2T SNACK (RFC 7143 §11.16). */
        final int r2tSn;

        Burst(int ttt, int offset, int length, int r2tSn) {
            this.r2tSn = r2tSn;
            this.ttt = ttt;
            this.offset = offset;
            this.length = length;
        }
    }
}

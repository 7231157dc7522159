package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.InternalErrors;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.MediumAccess;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the segments of one EXTENDED COPY, one chunk of at most {@link CopyLimits#CHUNK_BYTES}
 * at a time, each chunk a step of the task's executor ({@link Task#runStep}) under the rules of
 * both units for the copy's I_T nexus: the source range is read as a READ would be, the
 * destination range written as a WRITE would be (reservations, write protect, range locks, and
 * the destination's medium fence at the epoch noted when the copy was planned). A copy within a
 * unit takes one exclusive range over source and destination (one range per unit and step keeps
 * the lock order free of deadlock), and one to a higher overlapping address runs back to front so
 * it reads no block it already overwrote. Each chunk goes on from
 * the thread that finished the last.
 *
 * <p>Confined: one chunk runs at a time, and each step hands over to the next through the lock
 * grant or the executor, so the fields need no lock. Constructed while planning: it notes the
 * fence epochs and changes nothing until {@link #start}.
 */
final class CopyJob implements Plan.Job {

    private static final Logger log = LoggerFactory.getLogger(CopyJob.class);

    private final Task task;
    private final List<CopyParameterList.Segment> segments;
    /** Told the copy's state when it starts, after each chunk and when it ends. */
    private final Consumer<CopyResults.Status> onStatus;
    /** Checked inside each chunk's ranges before it reads (WRITE USING TOKEN: the token still valid); or null. */
    private final Guard guard;
    private final Map<UnitContext, Long> epochs = new IdentityHashMap<>();
    private int segment;
    private int blocksDone;
    private long bytesDone;

    /** What must still hold when a chunk runs, checked under its range locks. */
    @FunctionalInterface
    interface Guard {
        void check() throws CheckConditionException;
    }

    CopyJob(Task task, List<CopyParameterList.Segment> segments, Consumer<CopyResults.Status> onStatus) {
        this(task, segments, onStatus, null);
    }

    /**
     * @param segments the segments; a segment without source ({@code null}, the block device zero
     *                 ROD token) writes zeros
     */
    CopyJob(Task task, List<CopyParameterList.Segment> segments, Consumer<CopyResults.Status> onStatus, Guard guard) {
        this.task = task;
        this.segments = segments;
        this.onStatus = onStatus;
        this.guard = guard;
        for (CopyParameterList.Segment s : segments) {
            if (s.source() != null) {
                epochs.computeIfAbsent(s.source(), task::epochOf);
            }
            epochs.computeIfAbsent(s.destination(), task::epochOf);
        }
    }

    @Override
    public void start() {
        next();
    }

    private void next() {
        while (segment < segments.size() && blocksDone == segments.get(segment).blocks()) {
            segment++;
            blocksDone = 0;
        }
        if (segment == segments.size()) {
            onStatus.accept(CopyResults.Status.completed(segments.size(), bytesDone));
            task.completeGood();
            return;
        }
        // SEGMENTS PROCESSED counts the segment being processed (SPC-4 §6.24).
        onStatus.accept(CopyResults.Status.inProgress(segment + 1, bytesDone));
        CopyParameterList.Segment s = segments.get(segment);
        UnitContext src = s.source();
        UnitContext dst = s.destination();
        int blockSize = dst.blockSize();
        int chunkBlocks = Math.min(CopyLimits.CHUNK_BYTES / blockSize, s.blocks() - blocksDone);
        boolean backwards = src == dst && s.destinationLba() > s.sourceLba()
                && s.destinationLba() < s.sourceLba() + s.blocks();
        long first = backwards ? s.blocks() - blocksDone - chunkBlocks : blocksDone;
        long srcOffset = (s.sourceLba() + first) * blockSize;
        long dstOffset = (s.destinationLba() + first) * blockSize;
        int bytes = chunkBlocks * blockSize;

        List<Task.UnitRange> ranges;
        if (src == null) {
            ranges = List.of(new Task.UnitRange(dst, MediumAccess.WRITE, dstOffset, bytes, epochs.get(dst)));
        } else if (src == dst) {
            // One range per unit: two ranges of one unit, taken one after the other, could deadlock
            // with a waiting write between them (found by MediumModelPropertyTest).
            long from = Math.min(srcOffset, dstOffset);
            ranges = List.of(new Task.UnitRange(dst, MediumAccess.WRITE, from,
                    Math.max(srcOffset, dstOffset) + bytes - from, epochs.get(dst)));
        } else {
            ranges = List.of(new Task.UnitRange(src, MediumAccess.READ, srcOffset, bytes, epochs.get(src)),
                    new Task.UnitRange(dst, MediumAccess.WRITE, dstOffset, bytes, epochs.get(dst)));
        }
        boolean durable = !dst.modeState().writeCacheEnabled();
        task.runStep(ranges, () -> {
            if (guard != null) {
                guard.check();
            }
            // ROD tokens over the blocks written no longer represent them (docs/odx.md). Told here, not
            // by the step's lock range, which spans source and destination within one unit.
            dst.tokenWatch().written(dstOffset, bytes);
            ByteBuf buf = dst.alloc().buffer(bytes);
            try {
                if (src == null) {
                    buf.writeZero(bytes);
                } else {
                    src.device().read(srcOffset, bytes, buf);
                }
                dst.device().write(dstOffset, buf, durable);
            } finally {
                buf.release();
            }
            return null;
        }, failure -> {
            if (failure != null) {
                failed(failure);
                return;
            }
            blocksDone += chunkBlocks;
            bytesDone += bytes;
            next();
        });
    }

    /** Ends the copy with what stopped the current chunk, holding its status with errors. */
    private void failed(Exception failure) {
        if (failure instanceof ReservationConflictException) {
            onStatus.accept(CopyResults.Status.failed(segment + 1, bytesDone, null));
            task.failWith(failure, StorageErrors.Access.WRITE);
            return;
        }
        CheckConditionException error;
        if (failure instanceof CheckConditionException c) {
            error = c;
        } else if (failure instanceof BlockDeviceException e) {
            log.debug("EXTENDED COPY segment {} failed", segment, e);
            error = StorageErrors.toCheckCondition(e, StorageErrors.Access.WRITE);
        } else {
            InternalErrors.record(log, "EXTENDED COPY segment " + segment, failure);
            error = new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
        }
        onStatus.accept(CopyResults.Status.failed(segment + 1, bytesDone, error));
        task.fail(error);
    }
}

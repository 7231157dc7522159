package io.platter.scsi.command;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.InternalErrors;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the segments of one EXTENDED COPY, one chunk of at most {@link CopyLimits#CHUNK_BYTES}
 * at a time: it takes the source range shared and the destination range exclusively in the
 * {@link RangeLocks} of their units (in lock order, or one exclusive range when a copy within a
 * unit overlaps itself), reads and writes on the destination unit's I/O executor, releases, and
 * goes on with the next chunk from the thread that finished the last. A copy within a unit to a
 * higher, overlapping address runs back to front so it reads no block it already overwrote.
 *
 * <p>Confined: one chunk runs at a time, and each step hands over to the next through the lock
 * grant or the executor, so the fields need no lock.
 */
final class CopyJob {

    private static final Logger log = LoggerFactory.getLogger(CopyJob.class);

    private final Task task;
    private final List<CopyParameterList.Segment> segments;
    private final Consumer<CopyResults.Status> onFinished;
    private int segment;
    private int blocksDone;
    private long bytesDone;

    CopyJob(Task task, List<CopyParameterList.Segment> segments, Consumer<CopyResults.Status> onFinished) {
        this.task = task;
        this.segments = segments;
        this.onFinished = onFinished;
    }

    void start() {
        next();
    }

    private record Range(RangeLocks locks, long offset, long length, boolean exclusive) { }

    private void next() {
        while (segment < segments.size() && blocksDone == segments.get(segment).blocks()) {
            segment++;
            blocksDone = 0;
        }
        if (segment == segments.size()) {
            onFinished.accept(CopyResults.Status.completed(segments.size(), bytesDone));
            task.completeGood();
            return;
        }
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

        List<Range> ranges = new ArrayList<>();
        if (src == dst && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes) {
            long from = Math.min(srcOffset, dstOffset);
            ranges.add(new Range(dst.rangeLocks(), from, Math.max(srcOffset, dstOffset) + bytes - from, true));
        } else {
            ranges.add(new Range(src.rangeLocks(), srcOffset, bytes, false));
            ranges.add(new Range(dst.rangeLocks(), dstOffset, bytes, true));
            ranges.sort(Comparator.comparingLong((Range r) -> r.locks().order()).thenComparingLong(Range::offset));
        }
        List<RangeLocks.Lease> held = new ArrayList<>(2);
        lockAll(ranges, 0, held, () -> dispatch(src, dst, srcOffset, dstOffset, bytes, chunkBlocks, held));
    }

    private static void lockAll(List<Range> ranges, int i, List<RangeLocks.Lease> held, Runnable then) {
        if (i == ranges.size()) {
            then.run();
            return;
        }
        Range r = ranges.get(i);
        r.locks().acquire(r.offset(), r.length(), r.exclusive(), lease -> {
            held.add(lease);
            lockAll(ranges, i + 1, held, then);
        });
    }

    private void dispatch(UnitContext src, UnitContext dst, long srcOffset, long dstOffset, int bytes,
                          int chunkBlocks, List<RangeLocks.Lease> held) {
        boolean durable = !dst.modeState().writeCacheEnabled();
        try {
            dst.ioExecutor().execute(() -> {
                CheckConditionException error = null;
                ByteBuf buf = dst.alloc().buffer(bytes);
                try {
                    src.device().read(srcOffset, bytes, buf);
                    dst.device().write(dstOffset, buf, durable);
                } catch (BlockDeviceException e) {
                    log.debug("EXTENDED COPY segment {} failed", segment, e);
                    error = StorageErrors.toCheckCondition(e, StorageErrors.Access.WRITE);
                } catch (RuntimeException e) {
                    InternalErrors.record(log, "EXTENDED COPY segment " + segment, e);
                    error = new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
                } finally {
                    buf.release();
                    held.forEach(RangeLocks.Lease::release);
                }
                if (error != null) {
                    onFinished.accept(CopyResults.Status.failed(segment, bytesDone, error));
                    task.fail(error);
                    return;
                }
                blocksDone += chunkBlocks;
                bytesDone += bytes;
                next();
            });
        } catch (RejectedExecutionException e) {
            held.forEach(RangeLocks.Lease::release);
            task.fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
        }
    }
}

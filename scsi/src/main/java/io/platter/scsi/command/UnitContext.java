package io.platter.scsi.command;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.mode.ModeState;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What handlers see of a logical unit: its identity, block device, I/O executor, buffer
 * allocator, mode parameters, task set, range locks and held copy results. Immutable apart from
 * those, which guard themselves.
 */
public final class UnitContext {

    /** The logical block length; fixed for now. */
    public static final int BLOCK_SIZE = 512;

    private final LunIdentity identity;
    private final BlockDevice device;
    private final Executor ioExecutor;
    private final ByteBufAllocator alloc;
    private static final AtomicLong NEXT_ORDER = new AtomicLong();

    private final ModeState modeState;
    private final TaskSet taskSet = new TaskSet();
    private final RangeLocks rangeLocks = new RangeLocks(NEXT_ORDER.incrementAndGet());
    private final CopyResults copyResults = new CopyResults();

    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc) {
        this(identity, device, ioExecutor, alloc, new ModeState());
    }

    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ModeState modeState) {
        this.identity = identity;
        this.device = device;
        this.ioExecutor = ioExecutor;
        this.alloc = alloc;
        this.modeState = modeState;
    }

    public LunIdentity identity() {
        return identity;
    }

    public BlockDevice device() {
        return device;
    }

    public Executor ioExecutor() {
        return ioExecutor;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    public ModeState modeState() {
        return modeState;
    }

    public TaskSet taskSet() {
        return taskSet;
    }

    /** Byte-range locks of the medium (offsets in bytes). */
    public RangeLocks rangeLocks() {
        return rangeLocks;
    }

    /** Results of EXTENDED COPY commands held for RECEIVE COPY RESULTS. */
    public CopyResults copyResults() {
        return copyResults;
    }

    /**
     * Whether the medium is write protected (SBC-4 §4.11): software write protect (SWP of the
     * control page) or a read-only device. MODE SENSE reports it as WP.
     */
    public boolean writeProtected() {
        return modeState.softwareWriteProtect() || device.readOnly();
    }

    /** Number of logical blocks, read from the device each time (it may be resized). */
    public long blockCount() {
        return device.size() / BLOCK_SIZE;
    }

    public int blockSize() {
        return BLOCK_SIZE;
    }
}

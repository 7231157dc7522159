package io.platter.scsi.command;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.mode.ModeState;
import java.util.concurrent.Executor;

/**
 * What handlers see of a logical unit: its identity, block device, I/O executor, buffer
 * allocator and mode parameters. Immutable apart from the mode state.
 */
public final class UnitContext {

    /** The logical block length; fixed for now. */
    public static final int BLOCK_SIZE = 512;

    private final LunIdentity identity;
    private final BlockDevice device;
    private final Executor ioExecutor;
    private final ByteBufAllocator alloc;
    private final ModeState modeState;

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

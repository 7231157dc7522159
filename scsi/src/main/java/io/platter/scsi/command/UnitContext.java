package io.platter.scsi.command;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.reservation.ReservationStore;
import io.platter.scsi.reservation.Reservations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;

/**
 * What handlers see of a logical unit: its identity, block device, I/O executor, buffer
 * allocator, mode parameters, unit attentions and reservations. Immutable apart from the mode
 * state, unit attentions and reservations, which guard themselves.
 */
public final class UnitContext {

    /** The logical block length; fixed for now. */
    public static final int BLOCK_SIZE = 512;

    private final LunIdentity identity;
    private final BlockDevice device;
    private final Executor ioExecutor;
    private final ByteBufAllocator alloc;
    private final ModeState modeState = new ModeState();
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final Reservations reservations;

    /** A unit whose persistent reservations are not kept across restarts. */
    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc) {
        this.identity = identity;
        this.device = device;
        this.ioExecutor = ioExecutor;
        this.alloc = alloc;
        try {
            this.reservations = new Reservations(unitAttentions, ReservationStore.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // NONE never fails
        }
    }

    /** A unit whose APTPL persistent reservations are kept in {@code store} (loaded here). */
    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ReservationStore store) throws IOException {
        this.identity = identity;
        this.device = device;
        this.ioExecutor = ioExecutor;
        this.alloc = alloc;
        this.reservations = new Reservations(unitAttentions, store);
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

    /** The unit attention conditions of this unit, per I_T nexus. */
    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /** SPC-2 and persistent reservations of this unit. */
    public Reservations reservations() {
        return reservations;
    }

    /** Number of logical blocks, read from the device each time (it may be resized). */
    public long blockCount() {
        return device.size() / BLOCK_SIZE;
    }

    public int blockSize() {
        return BLOCK_SIZE;
    }
}

package io.platter.scsi;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.mode.ModeStore;
import io.platter.scsi.reservation.ReservationStore;
import io.platter.scsi.task.MediumFence;
import io.platter.scsi.task.UnitContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;

/**
 * A logical unit (SAM-5 §4.6.3): a direct access block device (SBC-4) backed by a
 * {@link BlockDevice}, with its identity and mode parameters. Commands reach it through
 * {@link ScsiTarget#execute}; block I/O runs on {@code ioExecutor}. Owns the device: closing the
 * unit closes it.
 */
public final class LogicalUnit {

    private final UnitContext context;

    /**
     * @param ioExecutor runs every block I/O of this unit; never a network event loop
     * @param alloc      allocates Data-In buffers
     */
    public LogicalUnit(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc) {
        this(identity, device, ioExecutor, alloc, ModeStore.inMemory());
    }

    /**
     * @param modeStore holds the saved mode parameters (MODE SELECT with SP=1); read once here
     * @throws java.io.UncheckedIOException when the saved parameters cannot be read
     */
    public LogicalUnit(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ModeStore modeStore) {
        this.context = new UnitContext(identity, device, ioExecutor, alloc, new ModeState(modeStore));
    }

    /**
     * A unit whose persistent reservations with APTPL survive restarts in {@code store}.
     *
     * @throws IOException when the saved reservation state cannot be read
     */
    public LogicalUnit(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ReservationStore store) throws IOException {
        this.context = new UnitContext(identity, device, ioExecutor, alloc, store);
    }

    /**
     * A unit whose saved mode parameters live in {@code modeStore} and whose APTPL persistent
     * reservations live in {@code store}; both are read once here.
     *
     * @throws IOException when the saved reservation state cannot be read
     */
    public LogicalUnit(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ModeStore modeStore, ReservationStore store) throws IOException {
        this.context = new UnitContext(identity, device, ioExecutor, alloc, new ModeState(modeStore), store);
    }

    /**
     * The unit attention API for code outside the command path (resize raises CAPACITY DATA HAS
     * CHANGED, the thin pool THIN PROVISIONING SOFT THRESHOLD REACHED, ...).
     */
    public UnitAttentions unitAttentions() {
        return context.unitAttentions();
    }

    /**
     * A logical unit reset (SAM-5 §7.7) as far as this unit's state goes: the SPC-2 reservation is
     * released, every I_T nexus gets POWER ON, RESET and the held copy results are discarded (SPC-4
     * §6.23 d, §6.25 c). Aborting tasks is the transport's part.
     */
    public void reset() {
        context.reservations().reset();
        context.unitAttentions().reset();
        context.copyResults().reset();
    }

    /**
     * Replaces the medium's contents (a snapshot revert) with no write in flight; writes of tasks
     * issued before it fail instead of landing on the new contents ({@link MediumFence}).
     */
    public <E extends Exception> void replaceMedium(MediumFence.Replacement<E> replacement) throws E {
        context.fence().replace(replacement);
    }

    /**
     * I_T nexus loss (SAM-5 §6.3.4): releases its SPC-2 reservation, forgets its unit attentions and
     * the copy results held for it (SPC-4 §6.23 d, §6.25 c).
     */
    public void nexusLost(ItNexus nexus) {
        context.reservations().nexusLost(nexus);
        context.unitAttentions().forget(nexus);
        context.copyResults().nexusLost(nexus);
    }

    public LunIdentity identity() {
        return context.identity();
    }

    /** Number of logical blocks: the device size over 512, read afresh (the device may grow). */
    public long blockCount() {
        return context.blockCount();
    }

    public int blockSize() {
        return context.blockSize();
    }

    /** Whether WCE of the caching mode page is set (writes may be acknowledged before they are durable). */
    public boolean writeCacheEnabled() {
        return context.modeState().writeCacheEnabled();
    }

    /** Makes every write acknowledged so far durable (the daemon calls it when it stops). */
    public void flush() {
        try {
            context.device().flush();
        } catch (BlockDeviceException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the device (which flushes it). Commands still in flight fail with a storage error. */
    public void close() {
        try {
            context.device().close();
        } catch (BlockDeviceException e) {
            throw new UncheckedIOException(e);
        }
    }

    UnitContext context() {
        return context;
    }
}

package io.platter.scsi;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.mode.ModeStore;
import io.platter.scsi.reservation.ReservationStore;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.MediumFence;
import io.platter.scsi.task.OfflineDevice;
import io.platter.scsi.task.RangeLocks;
import io.platter.scsi.task.UnitContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A logical unit (SAM-5 §4.6.3): a direct access block device (SBC-4) backed by a
 * {@link BlockDevice}, with its identity and mode parameters. Commands reach it through
 * {@link ScsiTarget#execute}; block I/O runs on {@code ioExecutor}. Owns the device: closing the
 * unit closes it. Owns the medium's lifecycle too: a resize, a replacement of the contents (a
 * snapshot revert) and the thin pool's threshold go through this class, which fences the writes,
 * aborts the tasks and raises the unit attentions; management never changes the device itself.
 */
public final class LogicalUnit {

    private final UnitContext context;
    /** Where this unit is mapped; a replacement of its contents aborts the tasks addressed there. */
    private final Set<Mapping> mappings = ConcurrentHashMap.newKeySet();

    private record Mapping(ScsiTarget target, int lun) { }

    /** The tasks in flight could not be aborted in time; the medium was not changed. */
    public static final class TasksNotAborted extends Exception {
        TasksNotAborted(String message, Throwable cause) {
            super(message, cause);
        }
    }

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
     * An offline unit: its image could not be opened ({@code reason}), yet it is mapped with its
     * identity, mode pages and persistent reservations, answers INQUIRY, REPORT LUNS, REQUEST
     * SENSE, MODE SENSE and PERSISTENT RESERVE IN/OUT, and every command that needs the medium
     * with NOT READY, LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED (SPC-5 §4.4.5, 04h/03h),
     * a transient condition for the initiator, until {@link #bringOnline} gives it its medium.
     *
     * @throws IOException when the saved reservation state cannot be read
     */
    public static LogicalUnit offline(LunIdentity identity, String reason, Executor ioExecutor,
                                      ByteBufAllocator alloc, ModeStore modeStore, ReservationStore store)
            throws IOException {
        return new LogicalUnit(identity, new OfflineDevice(reason), ioExecutor, alloc, modeStore, store);
    }

    /** Whether the unit has no medium (an offline unit, see the factory {@code offline}). */
    public boolean offline() {
        return context.offline();
    }

    /** Why the unit is offline, or null when it has its medium. */
    public String offlineReason() {
        return context.device() instanceof OfflineDevice o ? o.reason() : null;
    }

    /**
     * Gives an offline unit its medium in place: the LUN, its identity and every I_T nexus stay,
     * and each nexus gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28h/00h, SPC-5
     * §4.4.5 and Annex D), after which an initiator reads the capacity afresh. No CAPACITY DATA HAS
     * CHANGED: an offline unit never reported a capacity (READ CAPACITY answered NOT READY). The
     * unit owns {@code medium} from here on.
     *
     * @throws IllegalStateException when the unit is not offline ({@code medium} is then not taken)
     * @throws IllegalArgumentException when {@code medium} is an {@link OfflineDevice} (see {@link #stillOffline})
     */
    public void bringOnline(BlockDevice medium) {
        if (medium instanceof OfflineDevice) {
            throw new IllegalArgumentException("not a medium: " + medium);
        }
        context.attach(medium);
        context.unitAttentions().raiseAll(Sense.NOT_READY_TO_READY_CHANGE);
    }

    /** An offline unit is still offline, now for {@code reason} (a retry failed differently). */
    public void stillOffline(String reason) {
        context.attach(new OfflineDevice(reason));
    }

    /**
     * The unit attention queues, for the SCSI core and tests. Code outside the SCSI core asks the
     * unit ({@link #resize}, {@link #replaceContents}, {@link #thinPoolThresholdReached}) instead
     * of raising unit attentions itself.
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
     * issued before it fail instead of landing on the new contents ({@link MediumFence}). The
     * fence step of {@link #replaceContents} alone.
     */
    <E extends Exception> void replaceMedium(MediumFence.Replacement<E> replacement) throws E {
        context.fence().replace(replacement);
    }

    /**
     * Replaces the medium's contents under connected initiators (a forced snapshot revert), doing
     * to the unit what a LOGICAL UNIT RESET does (SAM-5 §7.7): the tasks in flight through every
     * LUN this unit is mapped at are aborted first (no status, TAS=0) and waited for, at most
     * {@code abortWait}; then {@code replacement} runs behind the medium fence (it waits for the
     * writes running; writes an aborted task had already queued are refused); then the SPC-2
     * reservation is released, every I_T nexus gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
     * (29h/00h) and, when the size changed (a snapshot of another size: the revert is a resize
     * too), CAPACITY DATA HAS CHANGED (2Ah/09h, SBC-4 §4.10) queued behind it, so an initiator that
     * rescans only on that condition sees the new capacity ({@link UnitAttentions#raiseAllAfterReset}).
     * Persistent reservations survive, as they survive a reset.
     *
     * @return the I_T nexuses that lost at least one task
     * @throws TasksNotAborted when the aborts did not finish in time; nothing was replaced
     */
    public <E extends Exception> Set<ItNexus> replaceContents(MediumFence.Replacement<E> replacement,
                                                              Duration abortWait) throws E, TasksNotAborted {
        Set<ItNexus> lost = abortTasks(abortWait);
        long before = context.device().size();
        context.fence().replace(replacement);
        reset();
        if (context.device().size() != before) {
            context.unitAttentions().raiseAllAfterReset(Sense.CAPACITY_DATA_HAS_CHANGED);
        }
        return lost;
    }

    private Set<ItNexus> abortTasks(Duration wait) throws TasksNotAborted {
        Set<ItNexus> lost = new HashSet<>();
        long deadline = System.nanoTime() + wait.toNanos();
        for (Mapping m : mappings) {
            CompletableFuture<Set<ItNexus>> aborted = m.target().abortTasks(m.lun());
            try {
                lost.addAll(aborted.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TasksNotAborted("interrupted while aborting the tasks of LUN " + m.lun(), e);
            } catch (ExecutionException | TimeoutException e) {
                throw new TasksNotAborted("cannot abort the tasks of LUN " + m.lun() + " of " + m.target().name()
                        + ": " + e, e);
            }
        }
        return lost;
    }

    /**
     * Changes the medium's size. New writes wait and the writes running are waited for
     * ({@link MediumFence#exclusive}), so no write that passed the LBA range check against the old
     * size lands while the size changes (a shrink cannot be grown back by a late write); a write
     * of an older task that runs afterwards is checked against the new size (LBA OUT OF RANGE).
     * Then every I_T nexus gets CAPACITY DATA HAS CHANGED (SBC-4 §4.10; 2Ah/09h, SPC-5 Table of
     * ASC/ASCQ). Whether a shrink is allowed is the caller's decision. Nothing happens when the
     * size is the same.
     *
     * @throws BlockDeviceException when the device cannot be resized (no space, read-only, I/O)
     */
    public void resize(long newSize) throws BlockDeviceException {
        BlockDevice device = context.device();
        long oldSize = device.size();
        if (oldSize == newSize) {
            return;
        }
        // A shrink first holds the blocks it removes in the range locks, exclusively: reads and
        // writes of them that passed the LBA check finish first, and any that wait for them are
        // checked against the new size when granted (Task), so none reads a truncated block as zeros.
        RangeLocks.Lease tail = newSize < oldSize ? lockRange(newSize, oldSize - newSize) : null;
        try {
            context.fence().exclusive(() -> device.resize(newSize));
        } finally {
            if (tail != null) {
                tail.release();
            }
        }
        context.unitAttentions().raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
    }

    /** Takes {@code length} bytes at {@code offset} of the range locks exclusively, waiting for them. */
    private RangeLocks.Lease lockRange(long offset, long length) {
        CompletableFuture<RangeLocks.Lease> granted = new CompletableFuture<>();
        context.rangeLocks().acquire(offset, length, true, granted::complete);
        return granted.join();
    }

    /**
     * The thin pool this unit's medium allocates from reached its soft threshold (SBC-4 §4.7.3.7):
     * a thin provisioned unit tells every I_T nexus THIN PROVISIONING SOFT THRESHOLD REACHED
     * (38h/07h); a fully provisioned one allocates nothing more and says nothing.
     *
     * @return whether the unit raised the unit attention
     */
    public boolean thinPoolThresholdReached() {
        if (!context.device().thin()) {
            return false;
        }
        context.unitAttentions().raiseAll(Sense.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED);
        return true;
    }

    /** {@link ScsiTarget#addLun} mapped this unit at {@code lun}. */
    void mapped(ScsiTarget target, int lun) {
        mappings.add(new Mapping(target, lun));
    }

    /** {@link ScsiTarget#removeLun} unmapped it. */
    void unmapped(ScsiTarget target, int lun) {
        mappings.remove(new Mapping(target, lun));
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

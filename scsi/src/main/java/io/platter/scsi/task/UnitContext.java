package io.platter.scsi.task;

import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.copy.CopyResults;
import io.platter.scsi.copy.TokenWatch;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.reservation.ReservationStore;
import io.platter.scsi.reservation.Reservations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What handlers see of a logical unit: its identity, block device, I/O executor, buffer
 * allocator, mode parameters, task set, range locks, held copy results, unit attentions and
 * reservations. Immutable apart from those, which guard themselves.
 */
public final class UnitContext {

    /** The logical block length; fixed for now. */
    public static final int BLOCK_SIZE = 512;

    private final LunIdentity identity;
    /** The medium; an {@link OfflineDevice} until the image opens ({@link #attach}). */
    private volatile BlockDevice device;
    /** A running SANITIZE's progress, -1 when none; written by the sanitize job, read by admission. */
    private final AtomicInteger sanitizeProgress = new AtomicInteger(-1);
    private final Executor ioExecutor;
    private final ByteBufAllocator alloc;
    private static final AtomicLong NEXT_ORDER = new AtomicLong();

    private final ModeState modeState;
    private final TaskSet taskSet = new TaskSet();
    private final RangeLocks rangeLocks = new RangeLocks(NEXT_ORDER.incrementAndGet());
    private final MediumFence fence = new MediumFence();
    private final CopyResults copyResults = new CopyResults();
    private final TokenWatch tokenWatch = new TokenWatch();
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final Reservations reservations;

    /** A unit whose mode pages and persistent reservations are not kept across restarts. */
    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc) {
        this(identity, device, ioExecutor, alloc, new ModeState());
    }

    /** A unit whose persistent reservations are not kept across restarts. */
    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ModeState modeState) {
        this.identity = identity;
        this.device = device;
        this.ioExecutor = ioExecutor;
        this.alloc = alloc;
        this.modeState = modeState;
        try {
            this.reservations = new Reservations(unitAttentions, ReservationStore.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // NONE never fails
        }
    }

    /** A unit whose APTPL persistent reservations are kept in {@code store} (loaded here). */
    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ReservationStore store) throws IOException {
        this(identity, device, ioExecutor, alloc, new ModeState(), store);
    }

    public UnitContext(LunIdentity identity, BlockDevice device, Executor ioExecutor, ByteBufAllocator alloc,
                       ModeState modeState, ReservationStore store) throws IOException {
        this.identity = identity;
        this.device = device;
        this.ioExecutor = ioExecutor;
        this.alloc = alloc;
        this.modeState = modeState;
        this.reservations = new Reservations(unitAttentions, store);
    }

    public LunIdentity identity() {
        return identity;
    }

    public BlockDevice device() {
        return device;
    }

    /**
     * How far a running SANITIZE is, in 65536ths, or -1 when none runs. While one runs every
     * command that needs the medium answers NOT READY, SANITIZE IN PROGRESS ({@link Admission}).
     */
    public int sanitizeProgress() {
        return sanitizeProgress.get();
    }

    /** Marks a SANITIZE as started: false when one is running already. */
    public boolean startSanitize() {
        return sanitizeProgress.compareAndSet(-1, 0);
    }

    /** Notes the progress of the running SANITIZE ({@code done} of {@code total} bytes). */
    public void sanitizeProgress(long done, long total) {
        sanitizeProgress.set(total <= 0 ? 0 : (int) Math.min(0xFFFF, done * 0x10000 / total));
    }

    /** Marks the running SANITIZE as finished. */
    public void sanitizeDone() {
        sanitizeProgress.set(-1);
    }

    /**
     * Whether the unit has no medium (its image could not be opened): every command that needs
     * the medium answers NOT READY ({@link Admission}).
     */
    public boolean offline() {
        return device instanceof OfflineDevice;
    }

    /**
     * Gives an offline unit its medium, or another {@link OfflineDevice} with a newer reason. Only
     * {@link io.platter.scsi.LogicalUnit} calls it, and only while the unit is offline: no command
     * then holds the device (every medium access was refused), so the swap needs no fence.
     *
     * @throws IllegalStateException when the unit has a medium already
     */
    public void attach(BlockDevice medium) {
        if (!offline()) {
            throw new IllegalStateException("the unit has its medium already");
        }
        this.device = Objects.requireNonNull(medium, "medium");
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

    /** Fences writes of earlier tasks off a replacement of the medium's contents (a snapshot revert). */
    public MediumFence fence() {
        return fence;
    }

    /** Byte-range locks of the medium (offsets in bytes); taken by the task executor only. */
    public RangeLocks rangeLocks() {
        return rangeLocks;
    }

    /** Results of EXTENDED COPY commands held for RECEIVE COPY RESULTS. */
    public CopyResults copyResults() {
        return copyResults;
    }

    /** The ROD tokens (ODX) whose source is on this unit; told of every write by the task executor. */
    public TokenWatch tokenWatch() {
        return tokenWatch;
    }

    /**
     * Whether the medium is write protected (SBC-4 §4.11): software write protect (SWP of the
     * control page) or a read-only device. MODE SENSE reports it as WP.
     */
    public boolean writeProtected() {
        return modeState.softwareWriteProtect() || device.readOnly();
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

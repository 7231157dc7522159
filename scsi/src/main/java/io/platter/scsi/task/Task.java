package io.platter.scsi.task;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.InternalErrors;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import io.platter.scsi.reservation.ReservationAccess;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.sense.StorageErrors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command in execution (SAM-5 §5.1): its CDB, its Data-Out buffer, the logical unit it
 * addresses (or none), and its completion; and the one executor of every command's {@link Plan}.
 * The rules every command obeys are applied here, for all alike, from the columns of its
 * {@link CommandSpec} and its plan: unit attentions, reservations and write protect
 * ({@link Admission}), then the plan's range in the unit's {@link RangeLocks} (shared for reads,
 * exclusive for writes), the {@link MediumFence} around every write, the Data-Out length for
 * residuals, the hand-off to the I/O executor and the completion. Handlers only plan.
 *
 * <p>This is where the task error tier is converted, once:
 * a {@link CheckConditionException} (or a storage failure, through {@link StorageErrors}) becomes
 * CHECK CONDITION with sense bytes in the unit's current format (D_SENSE of the control page),
 * and a {@link ReservationConflictException} becomes RESERVATION CONFLICT status.
 *
 * <p>The task owns the Data-Out buffer and releases it exactly once, when it completes. The
 * completion receives ownership of the Data-In buffer. Completion happens exactly once.
 */
public final class Task {

    private static final Logger log = LoggerFactory.getLogger(Task.class);

    /** Block I/O run on the unit's executor; returns the Data-In buffer (ownership passes) or null. */
    @FunctionalInterface
    public interface IoWork {
        ByteBuf run() throws BlockDeviceException, CheckConditionException, ReservationConflictException;
    }

    private final ScsiCommand command;
    private final UnitContext unit;
    private final TargetUnits target;
    private final ByteBufAllocator alloc;
    private final Consumer<ScsiResponse> completion;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile int dataOutLength = -1;
    private final TaskSet.Entry entry;
    /** The plan being executed and the range it holds: written before the hand-off to the I/O executor, read after it. */
    private Plan.Io io;
    private RangeLocks.Lease lease;
    /** What {@link #submit(StorageErrors.Access, IoWork, Runnable)}'s caller took for its work, undone if it never runs. */
    private Runnable onRefused;
    /** The unit's {@link MediumFence} epoch when this task was created. */
    private final long epoch;

    /**
     * @param unit the addressed logical unit, or {@code null} when the LUN is not mapped
     * @param target the target device's units (REPORT LUNS, EXTENDED COPY)
     */
    public Task(ScsiCommand command, UnitContext unit, TargetUnits target,
                ByteBufAllocator alloc, Consumer<ScsiResponse> completion) {
        this.command = command;
        this.unit = unit;
        this.target = target;
        this.entry = unit == null ? null : new TaskSet.Entry(command.attribute(), this::run);
        this.epoch = unit == null ? 0 : unit.fence().epoch();
        this.alloc = alloc;
        this.completion = Objects.requireNonNull(completion, "completion");
    }

    /**
     * Enters the task into its unit's task set, which runs it now or once its task attribute
     * allows (SAM-5 §8.6); a task for an unmapped LUN runs at once. When it runs, the command is
     * looked up in the table and its CDB, unit attentions and reservations ({@link Admission}) are
     * checked before its handler. Never throws.
     */
    public void start() {
        if (entry == null) {
            run();
        } else {
            unit.taskSet().admit(entry);
        }
    }

    /** Looks the command up in the table, checks its CDB, admits it and executes its plan. Never throws. */
    private void run() {
        try {
            CommandSpec spec = CommandTable.resolve(command.cdb(), unit != null);
            Admission.check(this, spec);
            Plan plan = spec.handler().plan(this);
            if (plan instanceof Plan.Io io && !io.access().within(spec.medium())
                    || plan == Plan.Handled.INSTANCE && spec.medium() != MediumAccess.NONE) {
                throw new IllegalStateException(spec.name() + " planned " + plan + " beyond its table row");
            }
            execute(plan);
        } catch (CheckConditionException e) {
            fail(e);
        } catch (ReservationConflictException e) {
            conflict(e);
        } catch (RuntimeException e) {
            InternalErrors.record(log, "command " + describe(), e);
            if (!done.get()) {
                fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
            }
        }
    }

    /** Executes a plan by the rules of the class comment. */
    private void execute(Plan plan) throws CheckConditionException, ReservationConflictException {
        if (plan.dataOutLength() >= 0) {
            dataOutLength = plan.dataOutLength();
        }
        if (plan instanceof Plan.Failed failed) {
            fail(failed.error());
        } else if (plan instanceof Plan.Reply reply) {
            if (reply.data() == null) {
                completeGood();
            } else {
                completeWith(reply.data(), reply.allocationLength());
            }
        } else if (plan instanceof Plan.Io io) {
            this.io = io;
            if (io.access() == MediumAccess.NONE) {
                granted(null);
            } else {
                unit.rangeLocks().acquire(io.offset(), io.length(), io.access() == MediumAccess.WRITE, this::granted);
            }
        } else if (plan instanceof Plan.Copy copy) {
            copy.job().start();
        }
        // Plan.Handled: the handler completed or submitted the task itself.
    }

    /**
     * The plan's range is held ({@code lease}, or null for no range): runs its inline part here,
     * then its work on the I/O executor, then releases the range and completes.
     */
    private void granted(RangeLocks.Lease lease) {
        Plan.Io io = this.io;
        if (io.access() != MediumAccess.NONE && io.offset() + io.length() > unit.device().size()) {
            // The unit shrank while this task waited for its range (LogicalUnit.resize holds the
            // removed blocks until it is done): out of range now (SBC-4 §4.5), not zeros or a regrowth.
            release(lease);
            fail(new CheckConditionException(Sense.LBA_OUT_OF_RANGE));
            return;
        }
        if (io.inline() != null) {
            ByteBuf result;
            try {
                result = io.inline().run();
            } catch (Exception e) {
                release(lease);
                ioFailed(e, io.errors());
                return;
            }
            if (result != null || io.work() == null) {
                release(lease);
                complete(result);
                return;
            }
        }
        this.lease = lease;
        try {
            unit.ioExecutor().execute(this::runIo);
        } catch (RejectedExecutionException e) {
            log.warn("I/O executor rejected {}", describe());
            this.lease = null;
            release(lease);
            if (onRefused != null) {
                onRefused.run();
            }
            fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
        }
    }

    /** The plan's work, on the I/O executor; a write only while the task's fence epoch is current. */
    private void runIo() {
        Plan.Io io = this.io;
        RangeLocks.Lease held = lease;
        boolean write = io.access() == MediumAccess.WRITE;
        if (write && !unit.fence().enter(epoch)) {
            release(held);
            // The medium was replaced (a forced snapshot revert) after this task was issued: it must
            // not change the new contents. Not executed, so UNIT ATTENTION tells the initiator to retry.
            fail(new CheckConditionException(Sense.POWER_ON_RESET_OR_BUS_DEVICE_RESET));
            return;
        }
        if (write) {
            // ROD tokens over these blocks no longer represent them (ODX point in time, docs/odx.md).
            unit.tokenWatch().written(io.offset(), io.length());
        }
        ByteBuf result;
        try {
            result = io.work().run();
        } catch (Exception e) {
            exit(write, held);
            ioFailed(e, io.errors());
            return;
        }
        exit(write, held);
        complete(result);
    }

    private void exit(boolean write, RangeLocks.Lease held) {
        if (write) {
            unit.fence().exit();
        }
        release(held);
    }

    private static void release(RangeLocks.Lease lease) {
        if (lease != null) {
            lease.release();
        }
    }

    public byte[] cdb() {
        return command.cdb();
    }

    public ScsiCommand command() {
        return command;
    }

    /** The addressed logical unit, or {@code null} for an unmapped LUN. */
    public UnitContext unit() {
        return unit;
    }

    /** The Data-Out buffer or {@code null}; the task keeps ownership (do not release it). */
    public ByteBuf dataOut() {
        return command.dataOut();
    }

    /** Records the Data-Out length the CDB describes, for the transport's residual count. */
    public void expectDataOut(int bytes) {
        this.dataOutLength = bytes;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    public List<Integer> targetLuns() {
        return target.luns();
    }

    /** The target device's units, to find EXTENDED COPY copy targets. */
    public TargetUnits target() {
        return target;
    }

    /** Completes with GOOD status and no data. */
    public void completeGood() {
        finish(ScsiResponse.good());
    }

    /** Completes with GOOD status; takes ownership of {@code dataIn} (may be null). */
    public void complete(ByteBuf dataIn) {
        finish(dataIn == null ? ScsiResponse.good() : ScsiResponse.good(dataIn));
    }

    /**
     * Completes with GOOD status and the given parameter data, truncated to the CDB's
     * allocation length (SPC-5 §4.2.5.6). For small control data, not the data path.
     */
    public void completeWith(byte[] data, long allocationLength) {
        int length = (int) Math.min(data.length, allocationLength);
        if (length == 0) {
            completeGood();
            return;
        }
        complete(alloc.buffer(length).writeBytes(data, 0, length));
    }

    /**
     * {@code data} truncated to the CDB's allocation length (SPC-5 §4.2.5.6) in a new buffer, or
     * null when nothing is left: the Data-In of a control command's plan work.
     */
    public ByteBuf replyBuffer(byte[] data, long allocationLength) {
        int length = (int) Math.min(data.length, allocationLength);
        return length == 0 ? null : alloc.buffer(length).writeBytes(data, 0, length);
    }

    /** Completes with CHECK CONDITION and sense data built from {@code e}. */
    public void fail(CheckConditionException e) {
        boolean descriptor = unit != null && unit.modeState().descriptorSense();
        finish(new ScsiResponse(ScsiStatus.CHECK_CONDITION, null, SenseData.build(e, descriptor)));
    }

    /** Completes with RESERVATION CONFLICT status (no sense data, SAM-5 §5.3.3). */
    public void conflict(ReservationConflictException e) {
        log.debug("{}: reservation conflict: {}", describe(), e.getMessage());
        finish(ScsiResponse.status(ScsiStatus.RESERVATION_CONFLICT));
    }

    /**
     * One unit's part of one step of a copy: {@code length} bytes at {@code offset} of {@code unit}
     * read or written, under that unit's rules; {@code epoch} is its fence epoch when the copy was
     * planned ({@link #epochOf}).
     */
    public record UnitRange(UnitContext unit, MediumAccess access, long offset, long length, long epoch) {
    }

    /** The fence epoch a copy planned now notes for {@code other}: this task's own for its unit. */
    public long epochOf(UnitContext other) {
        return other == unit ? epoch : other.fence().epoch();
    }

    /**
     * Runs one step of a copy (EXTENDED COPY) by the same rules as a command's plan, applied to
     * every unit it touches for this task's I_T nexus: reservations (a read as READ, a write as
     * WRITE) and write protect, then the ranges in lock order ({@link RangeLocks#order()}, then
     * offset), then on the I/O executor of the last unit the fence of every written unit at the
     * epoch noted when the copy was planned, the work, and the release. {@code then} gets null when
     * the work ran, else what stopped it (a {@link CheckConditionException},
     * {@link ReservationConflictException}, {@link BlockDeviceException} or bug); it runs on the
     * calling thread or the I/O executor, exactly once.
     */
    public void runStep(List<UnitRange> ranges, IoWork work, Consumer<Exception> then) {
        List<UnitRange> ordered = new ArrayList<>(ranges);
        ordered.sort(Comparator.comparingLong((UnitRange r) -> r.unit().rangeLocks().order())
                .thenComparingLong(UnitRange::offset));
        try {
            for (UnitRange r : ordered) {
                Admission.checkMedium(r.unit(), command.nexus(), r.access() == MediumAccess.WRITE
                        ? ReservationAccess.WRITE : ReservationAccess.READ, r.access());
            }
        } catch (CheckConditionException | ReservationConflictException e) {
            then.accept(e);
            return;
        }
        List<RangeLocks.Lease> held = new ArrayList<>(ordered.size());
        lockAll(ordered, 0, held, () -> {
            Executor executor = ordered.get(ordered.size() - 1).unit().ioExecutor();
            try {
                executor.execute(() -> runStepIo(ordered, held, work, then));
            } catch (RejectedExecutionException e) {
                held.forEach(RangeLocks.Lease::release);
                then.accept(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
            }
        });
    }

    private static void lockAll(List<UnitRange> ranges, int i, List<RangeLocks.Lease> held, Runnable then) {
        if (i == ranges.size()) {
            then.run();
            return;
        }
        UnitRange r = ranges.get(i);
        r.unit().rangeLocks().acquire(r.offset(), r.length(), r.access() == MediumAccess.WRITE, lease -> {
            held.add(lease);
            lockAll(ranges, i + 1, held, then);
        });
    }

    private static void runStepIo(List<UnitRange> ranges, List<RangeLocks.Lease> held, IoWork work,
                                  Consumer<Exception> then) {
        List<MediumFence> entered = new ArrayList<>(ranges.size());
        Exception failure = null;
        try {
            for (UnitRange r : ranges) {
                MediumFence fence = r.unit().fence();
                if (r.access() != MediumAccess.WRITE || entered.contains(fence)) {
                    continue;
                }
                if (!fence.enter(r.epoch())) {
                    // As for a command's write: the medium was replaced after the copy was planned.
                    failure = new CheckConditionException(Sense.POWER_ON_RESET_OR_BUS_DEVICE_RESET);
                    break;
                }
                entered.add(fence);
            }
            if (failure == null) {
                ByteBuf result = work.run();
                if (result != null) {
                    result.release();
                }
            }
        } catch (Exception e) {
            failure = e;
        } finally {
            entered.forEach(MediumFence::exit);
            held.forEach(RangeLocks.Lease::release);
        }
        then.accept(failure);
    }

    /** Completes with what stopped a copy step or an {@link IoWork} (the tiers of the class comment). */
    public void failWith(Exception e, StorageErrors.Access access) {
        ioFailed(e, access);
    }

    /**
     * For control commands that complete their task themselves ({@link Plan.Handled}): runs
     * {@code work}, which touches no block of the medium, on the unit's I/O executor and completes
     * with its result; storage failures are mapped through {@link StorageErrors} with {@code access}.
     */
    public void submit(StorageErrors.Access access, IoWork work) {
        submit(access, work, null);
    }

    /**
     * Like {@link #submit(StorageErrors.Access, IoWork)}; {@code onRejected} (may be null) undoes
     * what the caller took for {@code work} (a lock, a reservation turn) when the work never runs.
     */
    public void submit(StorageErrors.Access access, IoWork work, Runnable onRejected) {
        this.onRefused = onRejected;
        try {
            execute(Plan.control(-1, access, null, work));
        } catch (CheckConditionException | ReservationConflictException e) {
            throw new IllegalStateException(e); // executing an I/O plan throws neither
        }
    }

    /** Completes with what an {@link IoWork} threw (the tiers of the class comment). */
    private void ioFailed(Exception e, StorageErrors.Access access) {
        if (e instanceof CheckConditionException c) {
            fail(c);
        } else if (e instanceof ReservationConflictException r) {
            conflict(r);
        } else if (e instanceof BlockDeviceException b) {
            log.debug("storage failure in {}", describe(), b);
            fail(StorageErrors.toCheckCondition(b, access));
        } else {
            InternalErrors.record(log, "I/O of " + describe(), e);
            fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
        }
    }

    private void finish(ScsiResponse response) {
        if (!done.compareAndSet(false, true)) {
            if (response.dataIn() != null) {
                response.dataIn().release();
            }
            throw new IllegalStateException("task completed twice: " + describe());
        }
        ByteBuf out = command.dataOut();
        if (out != null) {
            out.release();
        }
        try {
            completion.accept(dataOutLength >= 0 ? response.withDataOutLength(dataOutLength) : response);
        } finally {
            // After the completion, so a task waiting on this one (ORDERED) completes after it.
            if (entry != null) {
                unit.taskSet().done(entry);
            }
        }
    }

    private String describe() {
        byte[] cdb = command.cdb();
        return String.format("opcode %02Xh on LUN %d", cdb.length > 0 ? cdb[0] & 0xff : -1, command.lun());
    }
}

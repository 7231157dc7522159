package io.platter.scsi.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.InternalErrors;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.sense.StorageErrors;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command in execution (SAM-5 §5.1): its CDB, its Data-Out buffer, the logical unit it
 * addresses (or none), and its completion. This is where the task error tier is converted, once:
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

    /** Looks the command up in the table, checks its CDB and runs its handler. Never throws. */
    private void run() {
        try {
            CommandSpec spec = CommandTable.resolve(command.cdb(), unit != null);
            Admission.check(this, spec);
            if (spec.writesMedium() && unit.writeProtected()) {
                throw new CheckConditionException(Sense.WRITE_PROTECTED);
            }
            spec.handler().execute(this);
        } catch (CheckConditionException e) {
            fail(e);
        } catch (ReservationConflictException e) {
            conflict(e);
        } catch (RuntimeException e) {
            InternalErrors.record(log, "command " + describe(), e);
            fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
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
     * Runs {@code work} on the unit's I/O executor and completes with its result; storage
     * failures are mapped through {@link StorageErrors} with {@code access}.
     */
    public void submit(StorageErrors.Access access, IoWork work) {
        submit(access, work, () -> { });
    }

    /**
     * Like {@link #submit(StorageErrors.Access, IoWork)}, but first takes {@code length} bytes at
     * byte {@code offset} of the unit's {@link RangeLocks} (exclusively for writes, shared for
     * reads) and releases them when the work ends, before the task completes. Waiting for the
     * range never blocks a thread.
     */
    public void submitLocked(long offset, long length, boolean exclusive, StorageErrors.Access access,
                             IoWork work) {
        unit.rangeLocks().acquire(offset, length, exclusive, lease -> submit(access, () -> {
            try {
                return work.run();
            } finally {
                lease.release();
            }
        }, lease::release));
    }

    /**
     * Like {@link #submitLocked(long, long, boolean, StorageErrors.Access, IoWork)}, but once the
     * range is granted, {@code inline} runs first on the granting thread (the caller's, usually a
     * network event loop): it must never wait, and returns the Data-In buffer when it could do the
     * work at once, or {@code null} when the work must wait for storage; then {@code work} runs on
     * the I/O executor. For work whose result is never null (reads of at least one block): a
     * cached read then completes without a thread hand-off, which is most of a QD1 read's latency.
     */
    public void submitLocked(long offset, long length, boolean exclusive, StorageErrors.Access access,
                             IoWork inline, IoWork work) {
        unit.rangeLocks().acquire(offset, length, exclusive, lease -> {
            ByteBuf result;
            try {
                result = inline.run();
            } catch (Exception e) {
                lease.release();
                ioFailed(e, access);
                return;
            }
            if (result != null) {
                lease.release();
                complete(result);
                return;
            }
            submit(access, () -> {
                try {
                    return work.run();
                } finally {
                    lease.release();
                }
            }, lease::release);
        });
    }

    /**
     * Like {@link #submit(StorageErrors.Access, IoWork)}; {@code onRejected} undoes what the
     * caller took for {@code work} (a lock, a turn) when the work does not run.
     */
    public void submit(StorageErrors.Access access, IoWork work, Runnable onRejected) {
        try {
            unit.ioExecutor().execute(() -> runIo(access, work, onRejected));
        } catch (RejectedExecutionException e) {
            log.warn("I/O executor rejected {}", describe());
            onRejected.run();
            fail(new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE));
        }
    }

    /** Runs {@code work} on the I/O executor; {@code onRefused} undoes what was taken for it if it does not run. */
    private void runIo(StorageErrors.Access access, IoWork work, Runnable onRefused) {
        boolean write = access == StorageErrors.Access.WRITE;
        if (write && !unit.fence().enter(epoch)) {
            onRefused.run();
            // The medium was replaced (a forced snapshot revert) after this task was issued: it must
            // not change the new contents. Not executed, so UNIT ATTENTION tells the initiator to retry.
            fail(new CheckConditionException(Sense.POWER_ON_RESET_OR_BUS_DEVICE_RESET));
            return;
        }
        ByteBuf result;
        try {
            result = work.run();
        } catch (Exception e) {
            ioFailed(e, access);
            return;
        } finally {
            if (write) {
                unit.fence().exit();
            }
        }
        complete(result);
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

package io.platter.scsi.task;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.StorageErrors;

/**
 * What one command will do, decided by its handler from the CDB and the Data-Out without side
 * effects (DESIGN.md, data path): the reply, or the medium access with its byte range and the I/O
 * to run, and the Data-Out length the CDB describes. {@link Task} executes every plan by the same
 * rules (write protect, range locks, the medium fence, residuals, submit and completion), so no
 * handler takes those decisions on its own.
 */
public sealed interface Plan {

    /** Bytes of Data-Out the CDB describes, for the transport's residuals (RFC 7143 §11.4.5.1); -1 when none. */
    int dataOutLength();

    /** GOOD with no data and no Data-Out. */
    Plan GOOD = new Reply(-1, null, 0);

    /**
     * Completes at once with GOOD and {@code data} (or none when null) truncated to the CDB's
     * allocation length (SPC-5 §4.2.5.6).
     */
    record Reply(int dataOutLength, byte[] data, long allocationLength) implements Plan {
    }

    /**
     * Block I/O. For READ and WRITE, {@code length} bytes at {@code offset} (at least one) are
     * taken in the unit's range locks before any of it runs: shared for READ, exclusive for WRITE.
     * Then {@code inline}, when present, runs on the granting thread (never waiting: a network
     * event loop, usually) and returns the Data-In buffer, or null when the work must wait for
     * storage or has no data; then {@code work}, when present, runs on the unit's I/O executor and
     * returns the Data-In buffer or null. A WRITE's work runs only while the task's medium fence
     * epoch is current. For NONE the range is not looked at.
     *
     * @param errors how a storage failure is reported
     */
    record Io(int dataOutLength, MediumAccess access, long offset, long length, StorageErrors.Access errors,
              Task.IoWork inline, Task.IoWork work) implements Plan {

        public Io {
            if (access != MediumAccess.NONE && length <= 0) {
                throw new IllegalArgumentException("medium I/O of " + length + " bytes");
            }
            if (access == MediumAccess.WRITE && inline != null) {
                throw new IllegalArgumentException("a write never runs on the calling thread");
            }
        }
    }

    /**
     * CHECK CONDITION found after the CDB described its Data-Out (a parameter list or transfer that
     * does not fit it), so the residuals still compare that length with the initiator's.
     */
    record Failed(int dataOutLength, CheckConditionException error) implements Plan {
    }

    /** A copy (EXTENDED COPY) that moves its data in steps of {@link Task#runStep}, each by the rules of the units it touches. */
    record Copy(int dataOutLength, Job job) implements Plan {
    }

    /** The work of a {@link Copy}, started once the task passed admission. */
    interface Job {
        void start();
    }

    /**
     * The handler completed the task itself (or handed it on with {@link Task#submit}). Only for
     * commands whose row says {@link MediumAccess#NONE}: the reservation commands.
     */
    enum Handled implements Plan {
        INSTANCE;

        @Override
        public int dataOutLength() {
            return -1;
        }
    }

    /** GOOD with no data, after a CDB that described {@code dataOutLength} bytes of Data-Out. */
    static Plan good(int dataOutLength) {
        return new Reply(dataOutLength, null, 0);
    }

    static Plan reply(byte[] data, long allocationLength) {
        return new Reply(-1, data, allocationLength);
    }

    /** A read of {@code length} bytes at {@code offset}; {@code inline} may be null. */
    static Plan read(long offset, long length, Task.IoWork inline, Task.IoWork work) {
        return new Io(-1, MediumAccess.READ, offset, length, StorageErrors.Access.READ, inline, work);
    }

    /** A change of {@code length} bytes at {@code offset}, after {@code dataOutLength} bytes of Data-Out. */
    static Plan write(int dataOutLength, long offset, long length, Task.IoWork work) {
        return new Io(dataOutLength, MediumAccess.WRITE, offset, length, StorageErrors.Access.WRITE, null, work);
    }

    /** A change of no block of the medium: {@code now} on the calling thread, then {@code later} on the I/O executor. */
    static Plan control(int dataOutLength, StorageErrors.Access errors, Task.IoWork now, Task.IoWork later) {
        return new Io(dataOutLength, MediumAccess.NONE, 0, 0, errors, now, later);
    }
}

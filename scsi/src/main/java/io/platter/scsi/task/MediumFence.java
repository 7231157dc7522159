package io.platter.scsi.task;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps writes issued before a replacement of the medium's contents (a snapshot revert) from
 * landing after it. Every task notes the fence's epoch when it is created; medium-changing I/O
 * runs under the read lock and only while its task's epoch is current. {@link #replace} takes the
 * write lock (waiting for the I/O already running), moves the epoch on and replaces the contents,
 * so a write that an abort could no longer stop (already queued on the I/O executor) finds a newer
 * epoch and does not run. The logical unit reset that follows tells every initiator (SAM-5 §7.7).
 * {@link #exclusive} (a resize) waits the same way but keeps the epoch: writes of older tasks still
 * run afterwards, each checked against the new size by the device.
 */
public final class MediumFence {

    /** What replaces the medium's contents. */
    public interface Replacement<E extends Exception> {
        void run() throws E;
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile long epoch;

    /** The current epoch, noted by a task when it is created. */
    long epoch() {
        return epoch;
    }

    /** Runs {@code replacement} with no medium-changing I/O in flight; later I/O of older tasks is refused. */
    public <E extends Exception> void replace(Replacement<E> replacement) throws E {
        lock.writeLock().lock();
        try {
            epoch++;
            replacement.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code change} (a resize) with no medium-changing I/O in flight and none starting until
     * it returns; the epoch stays, so tasks issued before it are not refused.
     */
    public <E extends Exception> void exclusive(Replacement<E> change) throws E {
        lock.writeLock().lock();
        try {
            change.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Enters medium-changing I/O of a task created at {@code issuedAt}: false (and not entered) when it is stale. */
    boolean enter(long issuedAt) {
        lock.readLock().lock();
        if (issuedAt != epoch) {
            lock.readLock().unlock();
            return false;
        }
        return true;
    }

    /** Leaves what {@link #enter} entered. */
    void exit() {
        lock.readLock().unlock();
    }
}

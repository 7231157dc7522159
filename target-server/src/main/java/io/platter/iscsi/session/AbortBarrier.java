package io.platter.iscsi.session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds back the answer to an abort until the aborted tasks can no longer affect the medium
 * (SAM-5 §5.6: once the task management function completes, no aborted command changes anything):
 * one count per party still to be heard from, the sessions still scanning for matching tasks and
 * the matching tasks still executing in the SCSI core, whose completion callback means their I/O
 * has ended. The action runs once, on the thread of the last count down. Thread-safe: sessions
 * count down on their own event loops.
 */
final class AbortBarrier {
    private final AtomicInteger pending;
    private final Runnable then;

    /** @param scans the sessions that will each call {@link #scanned()} once */
    AbortBarrier(int scans, Runnable then) {
        this.pending = new AtomicInteger(scans);
        this.then = then;
    }

    /** An aborted task still executing: the barrier waits for its {@link #ended()}. */
    void executing() {
        pending.incrementAndGet();
    }

    /** An aborted task counted by {@link #executing()} has completed in the SCSI core. */
    void ended() {
        countDown();
    }

    /** One session has aborted its matching tasks (after counting those still executing). */
    void scanned() {
        countDown();
    }

    private void countDown() {
        if (pending.decrementAndGet() == 0) {
            then.run();
        }
    }
}

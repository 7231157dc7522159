package io.platter.scsi.reservation;

import io.platter.scsi.InternalErrors;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serialises the changes of one unit's reservations (PERSISTENT RESERVE OUT, SPC-2 RESERVE) in
 * arrival order without ever blocking a thread: {@link #enter} runs its callback at once when no
 * change is in progress, else queues it, and the thread that releases the current {@link Turn}
 * runs the next one. A change that saves (APTPL) therefore holds its turn across file I/O on the
 * I/O executor, while event loops only queue.
 *
 * <p>Thread-safe: the queue is guarded by the monitor of this object, held for a few field
 * updates only, never while a callback runs. One thread at a time grants queued turns, in a loop,
 * so a long queue of changes that complete at once never deepens the stack.
 */
public final class Turnstile {

    private static final Logger log = LoggerFactory.getLogger(Turnstile.class);

    /** Exclusive permission to change the reservations; released exactly once (later calls do nothing). */
    public final class Turn {
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Turn() {
        }

        /** Ends this turn; the next queued change (if any) runs, possibly on this thread before this returns. */
        public void release() {
            if (open.compareAndSet(true, false)) {
                leave();
            }
        }

        /** Whether this turn of {@code turnstile} is still held. */
        boolean heldOn(Turnstile turnstile) {
            return turnstile == Turnstile.this && open.get();
        }
    }

    private final Queue<Consumer<Turn>> waiting = new ArrayDeque<>();
    /** A turn is held. Guarded by this. */
    private boolean busy;
    /** Some thread is granting queued turns. Guarded by this. */
    private boolean granting;

    /**
     * Calls {@code granted} with a turn once every earlier change has released its own: at once
     * on this thread when none is in progress, else later on the releasing thread. The callback
     * must release the turn (when it fails to, by throwing, it is released for it) and must not
     * block; I/O belongs on an executor, which then releases the turn.
     */
    public void enter(Consumer<Turn> granted) {
        synchronized (this) {
            if (busy || !waiting.isEmpty()) {
                waiting.add(granted);
                return;
            }
            busy = true;
        }
        run(granted);
    }

    private void leave() {
        synchronized (this) {
            busy = false;
            if (granting) {
                return;   // the granting thread's loop picks the next one
            }
            granting = true;
        }
        while (true) {
            Consumer<Turn> next;
            synchronized (this) {
                if (busy || waiting.isEmpty()) {
                    granting = false;
                    return;
                }
                next = waiting.poll();
                busy = true;
            }
            run(next);
        }
    }

    private void run(Consumer<Turn> granted) {
        Turn turn = new Turn();
        try {
            granted.accept(turn);
        } catch (RuntimeException e) {
            InternalErrors.record(log, "reservation change", e);
            turn.release();
        }
    }
}

package io.platter.scsi.task;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Byte-range locks of one logical unit, so that overlapping commands never tear each other's
 * data (SBC-4 §4.28: a write, and COMPARE AND WRITE as a whole, is atomic against other commands
 * on the same blocks). Writes take their range exclusively, reads share theirs.
 *
 * <p>Never blocks: {@link #acquire} either grants at once or queues the request, and the
 * {@link #release} that frees the range runs the grant callback. Requests are granted in arrival
 * order among conflicting ones (a waiting writer is not starved by later readers), while
 * requests that conflict with nothing overtake. Callers that need ranges on two units take
 * them lower {@link #order()} first (then lower offset first), which keeps multi-range holders
 * free of deadlock.
 *
 * <p>Shared state (the held and waiting lists) is guarded by {@code this}; grant callbacks run
 * outside that monitor.
 */
public final class RangeLocks {

    private final long unitOrder;
    private final List<Lease> held = new ArrayList<>();
    private final List<Lease> waiting = new ArrayList<>();

    /** @param unitOrder orders units for callers that lock ranges on two units (lower first) */
    public RangeLocks(long unitOrder) {
        this.unitOrder = unitOrder;
    }

    /** The unit's place in the lock order for callers that lock ranges on two units. */
    public long order() {
        return unitOrder;
    }

    /** One request for a range: waiting, then held until released. */
    public final class Lease {
        private final long start;
        private final long end;
        private final boolean exclusive;
        private final Consumer<Lease> onGrant;

        private Lease(long start, long length, boolean exclusive, Consumer<Lease> onGrant) {
            this.start = start;
            this.end = start + length;
            this.exclusive = exclusive;
            this.onGrant = onGrant;
        }

        boolean conflicts(Lease other) {
            return (exclusive || other.exclusive) && start < other.end && other.start < end;
        }

        /** Releases this lease (see {@link RangeLocks#release}). */
        public void release() {
            RangeLocks.this.release(this);
        }
    }

    /**
     * Requests {@code length} bytes at {@code offset}. {@code onGrant} runs exactly once when the
     * range is granted: on the calling thread if it is free now, else on the thread whose
     * release frees it. The holder must call {@link Lease#release} exactly once.
     */
    public void acquire(long offset, long length, boolean exclusive, Consumer<Lease> onGrant) {
        if (length <= 0 || offset < 0) {
            throw new IllegalArgumentException("range " + offset + "+" + length);
        }
        Lease lease = new Lease(offset, length, exclusive, onGrant);
        boolean now;
        synchronized (this) {
            now = !conflictsWithAny(lease, held, held.size()) && !conflictsWithAny(lease, waiting, waiting.size());
            (now ? held : waiting).add(lease);
        }
        if (now) {
            lease.onGrant.accept(lease);
        }
    }

    /** Releases a held lease and grants every waiting request that no longer conflicts. */
    public void release(Lease lease) {
        List<Lease> granted = new ArrayList<>();
        synchronized (this) {
            if (!held.remove(lease)) {
                throw new IllegalStateException("lease not held");
            }
            for (int i = 0; i < waiting.size(); i++) {
                Lease w = waiting.get(i);
                if (!conflictsWithAny(w, held, held.size()) && !conflictsWithAny(w, waiting, i)) {
                    waiting.remove(i--);
                    held.add(w);
                    granted.add(w);
                }
            }
        }
        for (Lease g : granted) {
            g.onGrant.accept(g);
        }
    }

    /** Number of held plus waiting requests (for tests and metrics). */
    public synchronized int outstanding() {
        return held.size() + waiting.size();
    }

    private static boolean conflictsWithAny(Lease lease, List<Lease> list, int limit) {
        for (int i = 0; i < limit; i++) {
            if (list.get(i).conflicts(lease)) {
                return true;
            }
        }
        return false;
    }
}

package io.platter.scsi.attention;

import io.platter.scsi.ItNexus;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The unit attention conditions of one logical unit (SAM-5 §5.14), a queue per I_T nexus. A
 * nexus the unit has not seen yet starts with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED, as
 * does every nexus after a reset. That condition supersedes every other queued one (SPC-5
 * §4.4.5: it is reported first, and what happened before a reset is moot); other conditions are
 * reported in the order raised, each at most once.
 *
 * <p>Thread-safe: commands of different nexuses and management code raise and take conditions
 * concurrently; every method holds the monitor of this object.
 */
public final class UnitAttentions {

    private static final Sense RESET = Sense.POWER_ON_RESET_OR_BUS_DEVICE_RESET;

    private final Map<ItNexus, Deque<Sense>> queues = new HashMap<>();

    /** The condition that the next command of {@code nexus} would report, or null; takes nothing. */
    public synchronized Sense peek(ItNexus nexus) {
        return queue(nexus).peekFirst();
    }

    /** Takes (clears) the condition reported to {@code nexus} next, or returns null when none is pending. */
    public synchronized Sense take(ItNexus nexus) {
        return queue(nexus).pollFirst();
    }

    /** Clears one pending condition of {@code nexus} (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED). */
    public synchronized void clear(ItNexus nexus, Sense sense) {
        queue(nexus).remove(sense);
    }

    /** Raises {@code sense} for every nexus the unit knows (e.g. CAPACITY DATA HAS CHANGED). */
    public synchronized void raiseAll(Sense sense) {
        raiseWhere(sense, n -> true);
    }

    /** Raises {@code sense} for every nexus but {@code except} (e.g. MODE PARAMETERS CHANGED). */
    public synchronized void raiseOthers(ItNexus except, Sense sense) {
        raiseWhere(sense, n -> !n.equals(except));
    }

    /** Raises {@code sense} for one nexus (e.g. REGISTRATIONS PREEMPTED for a preempted registrant). */
    public synchronized void raise(ItNexus nexus, Sense sense) {
        add(queue(nexus), sense);
    }

    /** Raises {@code sense} for the known nexuses that match. */
    public synchronized void raiseWhere(Sense sense, Predicate<ItNexus> which) {
        queues.forEach((n, q) -> {
            if (which.test(n)) {
                add(q, sense);
            }
        });
    }

    /**
     * Raises {@code sense} for every nexus, queued behind a pending POWER ON, RESET instead of
     * subsumed by it: for a change that is part of the reset's own event (a revert to a snapshot
     * of another size resets the unit and changes its capacity), which the reset did not make moot.
     * SPC-5 §5.14 lets a device server clear lower-precedence conditions, it does not require it;
     * an initiator that only rescans on CAPACITY DATA HAS CHANGED (ESXi, udev) needs this one.
     */
    public synchronized void raiseAllAfterReset(Sense sense) {
        if (sense == RESET || sense.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException("not a unit attention to queue behind a reset: " + sense);
        }
        queues.values().forEach(q -> {
            if (!q.contains(sense)) {
                q.add(sense);
            }
        });
    }

    /** After a logical unit or target reset: every nexus gets POWER ON, RESET (SAM-5 §5.14, §7.7). */
    public synchronized void reset() {
        queues.values().forEach(q -> add(q, RESET));
    }

    /** The nexus is gone (I_T nexus loss): forget it, so that it starts afresh if it comes back. */
    public synchronized void forget(ItNexus nexus) {
        queues.remove(nexus);
    }

    private Deque<Sense> queue(ItNexus nexus) {
        return queues.computeIfAbsent(nexus, n -> {
            Deque<Sense> q = new ArrayDeque<>();
            q.add(RESET);
            return q;
        });
    }

    private static void add(Deque<Sense> q, Sense sense) {
        if (sense.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException("not a unit attention: " + sense);
        }
        if (sense == RESET) {
            q.clear();
            q.add(RESET);
        } else if (!q.contains(sense) && !q.contains(RESET)) {
            // Conditions raised while a reset is pending are subsumed by it (SPC-5 §4.4.5 precedence).
            q.add(sense);
        }
    }
}

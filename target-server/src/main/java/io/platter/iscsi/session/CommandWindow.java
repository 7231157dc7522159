package io.platter.iscsi.session;

import java.util.HashMap;
import java.util.Map;

/**
 * The session's command window (RFC 7143 §4.2.2.1): ExpCmdSN, MaxCmdSN and the commands that
 * arrived ahead of their turn. MaxCmdSN shrinks as commands are in flight, which is the
 * backpressure on the initiator, but never moves backwards.
 *
 * <p>Confined to the session's event loop.
 *
 * @param <T> what is queued per command number
 */
public final class CommandWindow<T> {
    private final int depth;
    private final Map<Integer, T> ahead = new HashMap<>();
    private int expCmdSn;
    private int maxCmdSn;
    private int inFlight;

    public CommandWindow(int firstCmdSn, int depth) {
        this.depth = depth;
        this.expCmdSn = firstCmdSn;
        this.maxCmdSn = firstCmdSn + depth - 1;
    }

    public int expCmdSn() {
        return expCmdSn;
    }

    public int maxCmdSn() {
        int candidate = expCmdSn + depth - 1 - inFlight;
        if (SerialNumbers.lessThan(maxCmdSn, candidate)) {
            maxCmdSn = candidate;
        }
        return maxCmdSn;
    }

    /** Whether {@code cmdSn} lies in [ExpCmdSN, MaxCmdSN]. */
    public boolean accepts(int cmdSn) {
        return SerialNumbers.lessOrEqual(expCmdSn, cmdSn) && SerialNumbers.lessOrEqual(cmdSn, maxCmdSn());
    }

    /**
     * Offers a non-immediate command. Returns true if it is the next one (ExpCmdSN advances and
     * the caller delivers it now); false if it was queued for later, or refused as outside the
     * window or a duplicate (then {@code queued} says which).
     */
    public Admission offer(int cmdSn, T item) {
        // Even the next command is refused while the window is closed (MaxCmdSN = ExpCmdSN - 1):
        // RFC 7143 §4.2.2.1 has the target ignore non-immediate commands outside the window.
        if (!accepts(cmdSn)) {
            return Admission.REFUSED;
        }
        if (cmdSn == expCmdSn) {
            expCmdSn++;
            return Admission.DELIVER;
        }
        if (ahead.containsKey(cmdSn)) {
            return Admission.REFUSED;
        }
        ahead.put(cmdSn, item);
        return Admission.QUEUED;
    }

    /** The next queued command now in turn (ExpCmdSN advances), or {@code null}. */
    public T next() {
        T item = ahead.remove(expCmdSn);
        if (item != null) {
            expCmdSn++;
        }
        return item;
    }

    /** Removes and returns what is queued and matches {@code which} (teardown of one connection). */
    public java.util.List<T> drain(java.util.function.Predicate<T> which) {
        var items = new java.util.ArrayList<T>();
        var it = ahead.values().iterator();
        while (it.hasNext()) {
            T item = it.next();
            if (which.test(item)) {
                items.add(item);
                it.remove();
            }
        }
        return items;
    }

    /** Removes and returns everything still queued (session teardown). */
    public Iterable<T> drain() {
        var items = new java.util.ArrayList<>(ahead.values());
        ahead.clear();
        return items;
    }

    public void started() {
        inFlight++;
    }

    public void finished() {
        inFlight--;
    }

    public int inFlight() {
        return inFlight;
    }

    public enum Admission { DELIVER, QUEUED, REFUSED }
}

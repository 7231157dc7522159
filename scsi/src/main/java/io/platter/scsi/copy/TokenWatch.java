package io.platter.scsi.copy;

import io.platter.scsi.sense.Sense;
import java.util.ArrayList;
import java.util.List;

/**
 * The live ROD tokens whose source ranges lie on one unit. Every write of the unit (a command's
 * write plan or a copy step, told by the task executor before it writes) cancels the tokens whose
 * ranges it touches: the point-in-time semantics "change vulnerable" (SPC-5 §5.17.6.x), see
 * docs/odx.md. Guarded by {@code this}; {@link #written} costs one volatile read while no token watches.
 */
public final class TokenWatch {

    private final List<RodTokens.Live> tokens = new ArrayList<>();
    private volatile boolean empty = true;

    synchronized void add(RodTokens.Live token) {
        tokens.add(token);
        empty = false;
    }

    synchronized void remove(RodTokens.Live token) {
        tokens.remove(token);
        empty = tokens.isEmpty();
    }

    /** {@code length} bytes at byte {@code offset} of the unit are about to change. */
    public void written(long offset, long length) {
        if (empty || length <= 0) {
            return;
        }
        synchronized (this) {
            tokens.removeIf(t -> t.cancelIfOverlapping(offset, length));
            empty = tokens.isEmpty();
        }
    }

    /** The unit's medium was replaced (a revert) or the unit went away: every token on it is cancelled. */
    public synchronized void cancelAll() {
        tokens.forEach(t -> t.cancel(Sense.TOKEN_CANCELLED));
        tokens.clear();
        empty = true;
    }
}

package io.platter.scsi.copy;

import io.platter.scsi.ItNexus;
import io.platter.scsi.task.UnitContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the copy manager holds of completed POPULATE TOKEN and WRITE USING TOKEN commands for
 * RECEIVE ROD TOKEN INFORMATION (SPC-5 §6.x), per unit, I_T nexus and LIST IDENTIFIER: the
 * result is returned once and then discarded, replaced by a later command with the same list
 * identifier, or dropped as the eldest of more than {@link #CAPACITY}. Guarded by {@code this}.
 */
final class TokenResults {

    static final int CAPACITY = 256;

    /** The shared instance, beside {@link RodTokens#DAEMON}. */
    static final TokenResults DAEMON = new TokenResults();

    /**
     * One completed command.
     *
     * @param serviceAction 10h POPULATE TOKEN or 11h WRITE USING TOKEN
     * @param blocks        logical blocks represented (POPULATE TOKEN) or written (WRITE USING TOKEN)
     * @param token         the ROD token created, or null
     */
    record Result(int serviceAction, long blocks, byte[] token) { }

    private record Key(UnitContext unit, ItNexus nexus, long listId) { }

    private final Map<Key, Result> held = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Result> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void hold(UnitContext unit, ItNexus nexus, long listId, Result result) {
        held.put(new Key(unit, nexus, listId), result);
    }

    /** The held result, discarded as it is returned; null when none is held. */
    synchronized Result take(UnitContext unit, ItNexus nexus, long listId) {
        return held.remove(new Key(unit, nexus, listId));
    }
}

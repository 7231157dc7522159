package io.platter.scsi.command;

import io.platter.scsi.ItNexus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results of EXTENDED COPY (LID1) commands that the copy manager holds for RECEIVE COPY RESULTS
 * COPY STATUS (SPC-3 §6.17.2), per I_T nexus and list identifier (SPC-4 §6.3: LIST ID USAGE 00b
 * and 01b hold, 10b and 11b do not). Only the most recent {@link #CAPACITY} are kept: holding is
 * a courtesy the initiator cannot rely on forever. Guarded by {@code this}.
 */
public final class CopyResults {

    static final int CAPACITY = 64;

    /**
     * The outcome of one copy.
     *
     * @param completedWithErrors COPY MANAGER STATUS 01h instead of 00h
     * @param segmentsProcessed   segments finished
     * @param bytesTransferred    bytes written to copy targets
     */
    public record Status(boolean completedWithErrors, int segmentsProcessed, long bytesTransferred) { }

    private record Key(String initiatorPort, int listId) { }

    private final Map<Key, Status> held = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Status> eldest) {
            return size() > CAPACITY;
        }
    };

    public synchronized void hold(ItNexus nexus, int listId, Status status) {
        held.put(new Key(nexus.initiatorPort(), listId), status);
    }

    /** The held status, or {@code null}. */
    public synchronized Status find(ItNexus nexus, int listId) {
        return held.get(new Key(nexus.initiatorPort(), listId));
    }
}

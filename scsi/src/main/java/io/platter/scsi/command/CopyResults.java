package io.platter.scsi.command;

import io.platter.scsi.ItNexus;
import io.platter.scsi.sense.CheckConditionException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results of EXTENDED COPY (LID1) commands that the copy manager holds for RECEIVE COPY RESULTS
 * COPY STATUS (SPC-3 §6.17.2) and FAILED SEGMENT DETAILS (§6.17.5), per I_T nexus and list identifier (SPC-4 §6.3: LIST ID USAGE 00b
 * and 01b hold, 10b and 11b do not). Only the most recent {@link #CAPACITY} are kept: holding is
 * a courtesy the initiator cannot rely on forever. Guarded by {@code this}.
 */
public final class CopyResults {

    static final int CAPACITY = 64;

    /**
     * The outcome of one copy.
     *
     * @param segmentsProcessed segments finished
     * @param bytesTransferred  bytes written to copy targets
     * @param failure           what ended the copy with CHECK CONDITION while it processed segments,
     *                          or {@code null}: it completed, or its failure details were delivered
     * @param failed            whether the copy ended with errors (COPY MANAGER STATUS 01h), kept
     *                          after the failure details are discarded
     */
    public record Status(int segmentsProcessed, long bytesTransferred, CheckConditionException failure,
                         boolean failed) {

        static Status completed(int segmentsProcessed, long bytesTransferred) {
            return new Status(segmentsProcessed, bytesTransferred, null, false);
        }

        static Status failed(int segmentsProcessed, long bytesTransferred, CheckConditionException failure) {
            return new Status(segmentsProcessed, bytesTransferred, failure, true);
        }

        public boolean completedWithErrors() {
            return failed;
        }
    }

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

    /**
     * Forgets the failed segment details of a held copy once they were delivered whole (SPC-3
     * §6.17.5); its copy status stays.
     */
    public synchronized void discardFailure(ItNexus nexus, int listId) {
        held.computeIfPresent(new Key(nexus.initiatorPort(), listId),
                (k, s) -> new Status(s.segmentsProcessed(), s.bytesTransferred(), null, s.failed()));
    }

    /** The held status, or {@code null}. */
    public synchronized Status find(ItNexus nexus, int listId) {
        return held.get(new Key(nexus.initiatorPort(), listId));
    }
}

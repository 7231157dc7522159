package io.platter.scsi.copy;

import io.platter.scsi.ItNexus;
import io.platter.scsi.sense.CheckConditionException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the copy manager holds about EXTENDED COPY (LID1) commands for RECEIVE COPY STATUS(LID1)
 * (SPC-4 §6.25) and RECEIVE COPY FAILURE DETAILS(LID1) (§6.23), per I_T nexus and list
 * identifier (SPC-4 §6.4.3.2: LIST ID USAGE 00b and 01b hold, 10b and 11b do not). A copy is held
 * from its start, in progress, until: its completed status was returned by a RECEIVE COPY STATUS
 * (§6.25 a; its failure details stay until delivered whole or asked for with ALLOCATION LENGTH 0,
 * §6.23 a, b), another copy with the same list identifier starts on the nexus (§6.25 b, §6.23 c),
 * a logical unit reset or the loss of the nexus (§6.25 c, §6.23 d), or it is one of more than
 * {@link #CAPACITY} (§6.25 d). Guarded by {@code this}.
 */
public final class CopyResults {

    static final int CAPACITY = 64;

    /** COPY COMMAND STATUS of RECEIVE COPY STATUS(LID1) (SPC-4 §6.25, table 254). */
    public enum State {
        IN_PROGRESS(0x00), COMPLETED(0x01), COMPLETED_WITH_ERRORS(0x02);

        private final int wire;

        State(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }
    }

    /**
     * The state of one copy.
     *
     * @param segmentsProcessed segments processed, including the one being processed (SPC-4 §6.24)
     * @param bytesTransferred  bytes written to copy destinations, in order
     * @param failure           the sense of a copy that ended with CHECK CONDITION while it processed
     *                          segments, until delivered; null otherwise
     * @param statusDelivered   whether RECEIVE COPY STATUS returned the completed status (then only
     *                          the failure details are still held)
     */
    public record Status(State state, int segmentsProcessed, long bytesTransferred, CheckConditionException failure,
                         boolean statusDelivered) {

        static Status inProgress(int segmentsProcessed, long bytesTransferred) {
            return new Status(State.IN_PROGRESS, segmentsProcessed, bytesTransferred, null, false);
        }

        static Status completed(int segmentsProcessed, long bytesTransferred) {
            return new Status(State.COMPLETED, segmentsProcessed, bytesTransferred, null, false);
        }

        /** @param failure the sense, or null when the copy ended otherwise (RESERVATION CONFLICT) */
        static Status failed(int segmentsProcessed, long bytesTransferred, CheckConditionException failure) {
            return new Status(State.COMPLETED_WITH_ERRORS, segmentsProcessed, bytesTransferred, failure, false);
        }

        /** This state with no status left to report (the copy holds its failure details only). */
        Status withStatusDelivered() {
            return new Status(state, segmentsProcessed, bytesTransferred, failure, true);
        }

        public boolean inProgress() {
            return state == State.IN_PROGRESS;
        }
    }

    private record Key(ItNexus nexus, int listId) { }

    private final Map<Key, Status> held = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Status> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Holds (or updates) the state of the copy with this list identifier, replacing an older one's. */
    public synchronized void hold(ItNexus nexus, int listId, Status status) {
        held.put(new Key(nexus, listId), status);
    }

    /**
     * The state for RECEIVE COPY STATUS, or {@code null} when no such copy is held; a completed
     * state is returned once and then discarded (SPC-4 §6.25 a), apart from its failure details.
     */
    public synchronized Status takeStatus(ItNexus nexus, int listId) {
        Key key = new Key(nexus, listId);
        Status s = held.get(key);
        if (s == null || s.statusDelivered()) {
            return null;
        }
        if (!s.inProgress()) {
            if (s.failure() == null) {
                held.remove(key);
            } else {
                held.put(key, s.withStatusDelivered());
            }
        }
        return s;
    }

    /** The state for RECEIVE COPY FAILURE DETAILS, or {@code null}; nothing is discarded. */
    public synchronized Status find(ItNexus nexus, int listId) {
        return held.get(new Key(nexus, listId));
    }

    /** Forgets the failure details of a copy (delivered whole, or asked for with ALLOCATION LENGTH 0). */
    public synchronized void discardFailure(ItNexus nexus, int listId) {
        Key key = new Key(nexus, listId);
        Status s = held.get(key);
        if (s == null || s.inProgress()) {
            return;
        }
        if (s.statusDelivered()) {
            held.remove(key);
        } else {
            held.put(key, new Status(s.state(), s.segmentsProcessed(), s.bytesTransferred(), null, false));
        }
    }

    /** A logical unit reset: everything held is discarded. */
    public synchronized void reset() {
        held.clear();
    }

    /** I_T nexus loss: what was held for the nexus is discarded. */
    public synchronized void nexusLost(ItNexus nexus) {
        held.keySet().removeIf(k -> k.nexus().equals(nexus));
    }
}

package io.platter.scsi.reservation;

import java.io.IOException;

/**
 * Where a logical unit keeps its persistent reservation state across power loss when APTPL is
 * set (SPC-5 §5.14.5). {@link #save} returns only once the state is durable.
 */
public interface ReservationStore {

    /** A store that keeps nothing: reservations do not survive a restart. */
    ReservationStore NONE = new ReservationStore() {
        @Override
        public ReservationState load() {
            return ReservationState.EMPTY;
        }

        @Override
        public void save(ReservationState state) {
        }
    };

    /** The saved state, or {@link ReservationState#EMPTY} when nothing was saved. */
    ReservationState load() throws IOException;

    /** Saves {@code state} durably; blocking file I/O, never called on an event loop. */
    void save(ReservationState state) throws IOException;
}

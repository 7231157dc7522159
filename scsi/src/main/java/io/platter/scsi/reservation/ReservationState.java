package io.platter.scsi.reservation;

import java.util.List;

/**
 * A snapshot of the persistent reservation state of a logical unit: what the APTPL store saves.
 *
 * @param holder index into {@code registrations} of the reservation holder, -1 when not reserved
 * @param type   the reservation type, null when not reserved
 */
public record ReservationState(long generation, boolean aptpl, List<Registration> registrations, int holder,
                               PrType type) {

    public static final ReservationState EMPTY = new ReservationState(0, false, List.of(), -1, null);

    public ReservationState {
        registrations = List.copyOf(registrations);
        if ((holder < 0) != (type == null) || holder >= registrations.size()) {
            throw new IllegalArgumentException("holder " + holder + " type " + type);
        }
    }
}

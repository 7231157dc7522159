package io.platter.scsi.reservation;

import io.platter.scsi.ItNexus;
import java.util.List;

/**
 * An immutable snapshot of the persistent reservation state of a logical unit: what the APTPL
 * store saves, what PERSISTENT RESERVE IN reports and what the conflict check reads.
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

    /** The registration covering {@code nexus} (SPC-5 §5.14.7), or null. */
    Registration find(ItNexus nexus) {
        return find(registrations, nexus);
    }

    /** The registration of {@code registrations} covering {@code nexus}, or null. */
    static Registration find(List<Registration> registrations, ItNexus nexus) {
        for (Registration r : registrations) {
            if (r.covers(nexus)) {
                return r;
            }
        }
        return null;
    }

    /** Whether {@code nexus} holds the reservation (every registrant does under all registrants types). */
    boolean holds(ItNexus nexus) {
        if (type == null) {
            return false;
        }
        return type.allRegistrants() ? find(nexus) != null : registrations.get(holder).covers(nexus);
    }
}

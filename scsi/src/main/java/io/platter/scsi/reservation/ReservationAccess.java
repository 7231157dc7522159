package io.platter.scsi.reservation;

/**
 * The reservation-conflict column of the opcode table: how a command fares when another I_T
 * nexus holds a reservation. The persistent columns follow SPC-5 §5.14.1 (table 60) and SBC-4
 * §4.17 (table 13) for a nexus that is not a holder and, for registrants only / all registrants
 * types, not registered; the SPC-2 column follows SPC-2 §5.5.1 and the SPC-5 §5.14.3 exceptions.
 */
public enum ReservationAccess {
    /** INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT TARGET PORT GROUPS, RELEASE (decided by its handler). */
    ALLOWED(false, false, false),
    /** PERSISTENT RESERVE IN/OUT: allowed under persistent reservations, conflict under SPC-2 ones. */
    PERSISTENT(true, false, false),
    /** TEST UNIT READY, READ CAPACITY: allowed under every persistent reservation type. */
    STATUS(true, false, false),
    /** Commands that read the medium: allowed under Write Exclusive types only. */
    READ(true, false, true),
    /** Commands that change the medium or the unit's parameters: conflict under every type. */
    WRITE(true, true, true);

    private final boolean spc2Conflict;
    private final boolean writeExclusiveConflict;
    private final boolean exclusiveAccessConflict;

    ReservationAccess(boolean spc2Conflict, boolean writeExclusiveConflict, boolean exclusiveAccessConflict) {
        this.spc2Conflict = spc2Conflict;
        this.writeExclusiveConflict = writeExclusiveConflict;
        this.exclusiveAccessConflict = exclusiveAccessConflict;
    }

    /** Whether the command conflicts with an SPC-2 reservation held through another nexus. */
    public boolean spc2Conflict() {
        return spc2Conflict;
    }

    /** Whether the command conflicts with a persistent reservation of {@code type} it has no access to. */
    public boolean conflicts(PrType type) {
        return type.exclusiveAccess() ? exclusiveAccessConflict : writeExclusiveConflict;
    }
}

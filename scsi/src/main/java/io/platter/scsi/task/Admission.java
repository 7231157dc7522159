package io.platter.scsi.task;

import io.platter.scsi.ItNexus;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.reservation.ReservationAccess;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;

/**
 * The checks between the opcode table and the plan, in SAM-5 order, each from a column of the
 * row: a pending unit attention (SAM-5 §5.14: reported by, and cleared with, every command whose
 * row does not allow it, i.e. all but INQUIRY, REPORT LUNS and REQUEST SENSE, which deal with it
 * themselves), then reservation conflicts (SPC-5 §5.14.1) by the reservation-conflict column, then
 * by the medium-access column a missing medium (an offline unit: NOT READY, LOGICAL UNIT NOT READY,
 * MANUAL INTERVENTION REQUIRED, SPC-5 §4.4.5 and Annex D), a running SANITIZE (NOT READY, SANITIZE
 * IN PROGRESS with its progress indication, SBC-4 §4.11.3) and write protect (SBC-4 §4.11).
 */
final class Admission {

    private Admission() {
    }

    static void check(Task task, CommandSpec spec) throws CheckConditionException, ReservationConflictException {
        UnitContext unit = task.unit();
        if (unit == null) {
            return;
        }
        ItNexus nexus = task.command().nexus();
        if (nexus != null) {
            if (!spec.allowedWithUnitAttention()) {
                Sense attention = unit.unitAttentions().take(nexus);
                if (attention != null) {
                    throw new CheckConditionException(attention);
                }
            }
        }
        checkMedium(unit, nexus, spec.reservationAccess(), spec.medium());
    }

    /**
     * The reservation and write protect checks of one unit for a command through {@code nexus}
     * (null: no nexus, as in some unit tests): for the addressed unit by its row's columns, and for
     * every other unit an EXTENDED COPY reads or writes by the access it makes, as if the copy's
     * nexus sent it a READ or a WRITE.
     */
    static void checkMedium(UnitContext unit, ItNexus nexus, ReservationAccess reservation, MediumAccess medium)
            throws CheckConditionException, ReservationConflictException {
        if (nexus != null) {
            unit.reservations().check(nexus, reservation);
        }
        if (medium.needsMedium() && unit.offline()) {
            throw new CheckConditionException(Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED);
        }
        int sanitizing = unit.sanitizeProgress();
        if (medium.needsMedium() && sanitizing >= 0) {
            throw new CheckConditionException(Sense.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS,
                    FieldPointer.progress(sanitizing));
        }
        if (medium == MediumAccess.WRITE && unit.writeProtected()) {
            throw new CheckConditionException(Sense.WRITE_PROTECTED);
        }
    }
}

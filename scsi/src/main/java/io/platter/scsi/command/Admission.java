package io.platter.scsi.command;

import io.platter.scsi.ItNexus;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;

/**
 * The checks between the opcode table and the handler, in SAM-5 order: a pending unit attention
 * (SAM-5 §5.14: reported by, and cleared with, any command but INQUIRY, REPORT LUNS and REQUEST
 * SENSE, which deal with it themselves), then reservation conflicts (SPC-5 §5.14.1) by the row's
 * reservation-conflict column.
 */
final class Admission {

    private static final int REQUEST_SENSE = 0x03;
    private static final int INQUIRY = 0x12;
    private static final int REPORT_LUNS = 0xA0;

    private Admission() {
    }

    static void check(Task task, CommandSpec spec) throws CheckConditionException, ReservationConflictException {
        UnitContext unit = task.unit();
        ItNexus nexus = task.command().nexus();
        if (unit == null || nexus == null) {
            return;
        }
        int op = spec.opcode();
        if (op != INQUIRY && op != REPORT_LUNS && op != REQUEST_SENSE) {
            Sense attention = unit.unitAttentions().take(nexus);
            if (attention != null) {
                throw new CheckConditionException(attention);
            }
        }
        unit.reservations().check(nexus, spec.reservationAccess());
    }
}

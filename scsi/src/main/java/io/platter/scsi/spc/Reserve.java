package io.platter.scsi.spc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.reservation.Reservations;
import io.platter.scsi.task.Task;

/**
 * RESERVE(6) and RESERVE(10) (SPC-2 §7.21-22) of the whole logical unit. Extents, third-party
 * reservations and the obsolete fields are outside the usage mask; the RESERVE(10) parameter
 * list only matters for third-party reservations and is ignored. Completes its own task (a
 * control command that touches no medium): it waits for the unit's reservation turn.
 */
final class Reserve implements CommandHandler {

    @Override
    public void execute(Task task) {
        // In the reservation turn, after any PERSISTENT RESERVE OUT in progress (SPC-5 §5.14.3 conflicts).
        Reservations reservations = task.unit().reservations();
        reservations.enter(turn -> {
            try {
                reservations.reserve(turn, task.command().nexus());
            } catch (ReservationConflictException e) {
                turn.release();
                task.conflict(e);
                return;
            }
            turn.release();
            task.completeGood();
        });
    }
}

package io.platter.scsi.command;

import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;

/** Executes one command whose CDB already passed the table's length and usage-mask checks. */
@FunctionalInterface
public interface CommandHandler {

    /**
     * Parses and checks the CDB on the calling thread, then either completes the task or submits
     * its block I/O with {@link Task#submit}. A thrown exception completes the task with CHECK
     * CONDITION (or RESERVATION CONFLICT); the handler must then not have completed it already.
     */
    void execute(Task task) throws CheckConditionException, ReservationConflictException;
}

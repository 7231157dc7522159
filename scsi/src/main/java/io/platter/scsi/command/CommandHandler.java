package io.platter.scsi.command;

import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * Plans one command whose CDB already passed the table's length and usage-mask checks and whose
 * task passed admission (unit attentions, reservations, write protect).
 */
public interface CommandHandler {

    /**
     * Parses and checks the CDB and Data-Out on the calling thread and returns what to do,
     * without side effects (changes of the unit's state belong in the plan's work). A thrown
     * exception completes the task with CHECK CONDITION (or RESERVATION CONFLICT).
     */
    default Plan plan(Task task) throws CheckConditionException, ReservationConflictException {
        execute(task);
        return Plan.Handled.INSTANCE;
    }

    /**
     * The older shape, still used by control commands that touch no medium and complete their task
     * themselves (the persistent reservation commands): {@link #plan} calls it and returns
     * {@link Plan.Handled}. A row that reads or writes the medium must override {@link #plan}
     * instead (checked by CommandTableTest).
     */
    default void execute(Task task) throws CheckConditionException, ReservationConflictException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no plan");
    }
}

package io.platter.scsi.command;

/**
 * RELEASE(6) and RELEASE(10) (SPC-2 §7.17-18): releases the unit if this I_T nexus reserved it,
 * and otherwise completes with GOOD doing nothing, as SPC-2 requires.
 */
final class Release implements CommandHandler {

    @Override
    public void execute(Task task) {
        task.unit().reservations().release(task.command().nexus());
        task.completeGood();
    }
}

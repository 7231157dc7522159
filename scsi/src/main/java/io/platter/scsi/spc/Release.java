package io.platter.scsi.spc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * RELEASE(6) and RELEASE(10) (SPC-2 §7.17-18): releases the unit if this I_T nexus reserved it,
 * and otherwise completes with GOOD doing nothing, as SPC-2 requires.
 */
final class Release implements CommandHandler {

    @Override
    public Plan plan(Task task) {
        return Plan.control(-1, StorageErrors.Access.WRITE, () -> {
            task.unit().reservations().release(task.command().nexus());
            return null;
        }, null);
    }
}

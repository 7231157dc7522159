package io.platter.scsi.spc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * RESERVE(6) and RESERVE(10) (SPC-2 §7.21-22) of the whole logical unit. Extents, third-party
 * reservations and the obsolete fields are outside the usage mask; the RESERVE(10) parameter
 * list only matters for third-party reservations and is ignored.
 */
final class Reserve implements CommandHandler {

    @Override
    public Plan plan(Task task) {
        return Plan.control(-1, StorageErrors.Access.WRITE, () -> {
            task.unit().reservations().reserve(task.command().nexus());
            return null;
        }, null);
    }
}

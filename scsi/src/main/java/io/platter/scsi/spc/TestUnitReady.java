package io.platter.scsi.spc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/** TEST UNIT READY (SPC-5 §6.47): a mapped unit is always ready. */
final class TestUnitReady implements CommandHandler {

    @Override
    public Plan plan(Task task) {
        return Plan.GOOD;
    }
}

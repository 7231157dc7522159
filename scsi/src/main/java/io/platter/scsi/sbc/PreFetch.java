package io.platter.scsi.sbc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * PRE-FETCH (10) (SBC-4 §5.11) and (16) (§5.12). The range is checked (PREFETCH LENGTH 0 means
 * through the last block); nothing is read ahead, since the device's cache is the host page
 * cache, which Platter does not manage. With no cache capacity set aside for the blocks the
 * command ends GOOD, never CONDITION MET, whatever IMMED says.
 */
final class PreFetch implements CommandHandler {

    private final LbaField field;

    PreFetch(LbaField field) {
        this.field = field;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        LbaField.checkRange(task.unit(), field.lba(cdb), field.length(cdb));
        return Plan.GOOD;
    }
}

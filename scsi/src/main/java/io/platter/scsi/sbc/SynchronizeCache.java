package io.platter.scsi.sbc;

import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * SYNCHRONIZE CACHE (10) (SBC-4 §5.24) and (16) (§5.25): range checked, then the whole device is
 * flushed (the device has no per-range flush). NUMBER OF LOGICAL BLOCKS 0 means through the last
 * block. IMMED is accepted; the command still completes only after the flush, which the
 * standard allows.
 */
final class SynchronizeCache implements CommandHandler {

    private final LbaField field;

    SynchronizeCache(LbaField field) {
        this.field = field;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        LbaField.checkRange(unit, field.lba(cdb), field.length(cdb));
        return Plan.control(-1, StorageErrors.Access.WRITE, null, () -> {
            unit.device().flush();
            return null;
        });
    }
}

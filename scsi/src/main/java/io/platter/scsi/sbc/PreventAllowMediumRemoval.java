package io.platter.scsi.sbc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-4 §5.13). The medium is not removable (RMB=0), so its removal
 * is always prevented and both PREVENT 00b (allowed) and 01b (prevented) succeed with nothing to
 * record, as LIO and tgt do; initiators send it unconditionally. The obsolete values 10b and 11b
 * are INVALID FIELD IN CDB.
 */
final class PreventAllowMediumRemoval implements CommandHandler {

    private static final int PREVENT_BYTE = 4;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        if ((Cdb.u8(task.cdb(), PREVENT_BYTE) & 0b10) != 0) {
            throw CheckConditionException.invalidCdbField(PREVENT_BYTE, 1);
        }
        return Plan.GOOD;
    }
}

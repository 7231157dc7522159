package io.platter.scsi.sbc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * START STOP UNIT (SBC-4 §5.25). A virtual disk is always spun up and its medium is not
 * removable (RMB=0), so START and LOEJ change nothing and the unit stays ready; but a stop
 * (START=0, power condition START_VALID) without NO_FLUSH writes the cache to the medium first,
 * as the standard asks. Valid power conditions are accepted and the unit stays active, which
 * it may (it returns to active at once); reserved values and modifiers are INVALID FIELD IN CDB.
 * IMMED is accepted; the command completes after the flush either way.
 */
final class StartStopUnit implements CommandHandler {

    private static final int MODIFIER_BYTE = 3;
    private static final int CONDITION_BYTE = 4;
    private static final int NO_FLUSH_BIT = 2;
    private static final int START_BIT = 0;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        PowerCondition condition = PowerCondition.fromWire(Cdb.u8(cdb, CONDITION_BYTE) >> 4);
        if (condition == null) {
            throw CheckConditionException.invalidCdbField(CONDITION_BYTE, 7);
        }
        int modifier = Cdb.u8(cdb, MODIFIER_BYTE) & 0x0F;
        if (!condition.allowsModifier(modifier)) {
            throw CheckConditionException.invalidCdbField(MODIFIER_BYTE, Cdb.highestBit(modifier));
        }
        boolean stop = condition == PowerCondition.START_VALID && !Cdb.bit(cdb, CONDITION_BYTE, START_BIT);
        if (!stop || Cdb.bit(cdb, CONDITION_BYTE, NO_FLUSH_BIT)) {
            return Plan.GOOD;
        }
        UnitContext unit = task.unit();
        return Plan.control(-1, StorageErrors.Access.WRITE, null, () -> {
            unit.device().flush();
            return null;
        });
    }
}

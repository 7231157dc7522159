package io.platter.scsi.spc;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.log.LogPage;
import io.platter.scsi.log.LogPages;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * LOG SENSE (SPC-5 §6.10). SP (save parameters) is outside the usage mask: no log parameter is
 * saved (GLTSD of the control page). Every PAGE CONTROL value returns the same values, since the
 * pages have no thresholds and nothing to reset. Pages are built on the I/O executor because
 * the provisioning page asks the device how much it has allocated.
 */
final class LogSense implements CommandHandler {

    private static final int PAGE_BYTE = 2;
    private static final int SUBPAGE_BYTE = 3;
    private static final int ALLOCATION_LENGTH = 7;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        int pageCode = Cdb.u8(cdb, PAGE_BYTE) & 0x3F;
        int subpageCode = Cdb.u8(cdb, SUBPAGE_BYTE);
        LogPage page = LogPages.find(pageCode, subpageCode);
        if (page == null) {
            throw LogPages.find(pageCode, 0) == null
                    ? CheckConditionException.invalidCdbField(PAGE_BYTE, 5)
                    : CheckConditionException.invalidCdbField(SUBPAGE_BYTE);
        }
        int parameterPointer = Cdb.u16(cdb, LogPages.PARAMETER_POINTER_BYTE);
        int allocationLength = Cdb.u16(cdb, ALLOCATION_LENGTH);
        UnitContext unit = task.unit();
        return Plan.control(-1, StorageErrors.Access.READ, null, () -> {
            byte[] data = LogPages.build(page, unit, parameterPointer);
            int length = Math.min(data.length, allocationLength);
            if (length == 0) {
                return null;
            }
            ByteBuf out = unit.alloc().buffer(length);
            return out.writeBytes(data, 0, length);
        });
    }
}

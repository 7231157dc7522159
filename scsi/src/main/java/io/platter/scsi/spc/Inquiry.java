package io.platter.scsi.spc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.vpd.StandardInquiry;
import io.platter.scsi.vpd.VpdPage;
import io.platter.scsi.vpd.VpdPages;

/**
 * INQUIRY (SPC-5 §6.7): standard data, or a VPD page when EVPD is set. CmdDt (byte 1 bit 1) is
 * outside the usage mask and so already rejected. A LUN that is not mapped answers standard
 * data with peripheral qualifier 011b; its VPD pages are LOGICAL UNIT NOT SUPPORTED.
 */
final class Inquiry implements CommandHandler {

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        boolean evpd = Cdb.bit(cdb, 1, 0);
        int pageCode = Cdb.u8(cdb, 2);
        int allocationLength = Cdb.u16(cdb, 3);
        byte[] data;
        if (!evpd) {
            if (pageCode != 0) {
                throw CheckConditionException.invalidCdbField(2);
            }
            data = StandardInquiry.build(task.unit());
        } else {
            if (task.unit() == null) {
                throw new CheckConditionException(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
            }
            VpdPage page = VpdPages.find(pageCode);
            if (page == null) {
                throw CheckConditionException.invalidCdbField(2);
            }
            data = VpdPages.build(page, task.unit());
        }
        return Plan.reply(data, allocationLength);
    }
}

package io.platter.scsi.spc;

import io.platter.scsi.LunAddress;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * REPORT LUNS (SPC-5 §6.33), answered by the target for any LUN. SELECT REPORT 00h and 02h list
 * every mapped LUN; 01h (well known logical units) lists none, as there are none; the
 * administrative/subsidiary selections and reserved values are INVALID FIELD IN CDB. Clears a
 * pending REPORTED LUNS DATA HAS CHANGED of the nexus (SPC-5 §6.33), and no other unit attention.
 */
final class ReportLuns implements CommandHandler {

    private static final int SELECT_REPORT = 2;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        int select = Cdb.u8(cdb, SELECT_REPORT);
        List<Integer> luns = switch (select) {
            case 0x00, 0x02 -> task.targetLuns();
            case 0x01 -> List.of();
            default -> throw CheckConditionException.invalidCdbField(SELECT_REPORT);
        };
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * luns.size());
        b.putInt(8 * luns.size());
        b.putInt(0);
        for (int lun : luns) {
            b.putLong(LunAddress.encode(lun));
        }
        long allocationLength = Cdb.u32(cdb, 6);
        return Plan.control(-1, StorageErrors.Access.READ, () -> {
            if (task.unit() != null && task.command().nexus() != null) {
                task.unit().unitAttentions().clear(task.command().nexus(), Sense.REPORTED_LUNS_DATA_HAS_CHANGED);
            }
            return task.replyBuffer(b.array(), allocationLength);
        }, null);
    }
}

package io.platter.scsi.spc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * REQUEST SENSE (SPC-5 §6.39). Sense is delivered with each CHECK CONDITION (autosense), so the
 * only pending sense is a unit attention, which this returns and clears (SAM-5 §5.14); otherwise
 * the NOT READY condition of an offline unit (§6.39.2: what TEST UNIT READY would report), NO
 * SENSE, or LOGICAL UNIT NOT SUPPORTED as parameter data for a LUN that is not mapped (§6.39.1).
 * DESC (byte 1 bit 0) picks descriptor format.
 */
final class RequestSense implements CommandHandler {

    @Override
    public Plan plan(Task task) {
        byte[] cdb = task.cdb();
        boolean descriptor = Cdb.bit(cdb, 1, 0);
        int allocationLength = Cdb.u8(cdb, 4);
        return Plan.control(-1, StorageErrors.Access.READ, () -> {
            Sense sense = Sense.LOGICAL_UNIT_NOT_SUPPORTED;
            if (task.unit() != null) {
                Sense attention = task.command().nexus() == null ? null
                        : task.unit().unitAttentions().take(task.command().nexus());
                sense = attention != null ? attention
                        : task.unit().offline() ? Sense.LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED
                        : Sense.NO_SENSE;
            }
            return task.replyBuffer(SenseData.build(sense, null, null, descriptor), allocationLength);
        }, null);
    }
}

package io.platter.scsi.command;

import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;

/**
 * REQUEST SENSE (SPC-5 §6.39). Sense is delivered with each CHECK CONDITION (autosense), so the
 * only pending sense is a unit attention, which this returns and clears (SAM-5 §5.14); otherwise
 * NO SENSE, or LOGICAL UNIT NOT SUPPORTED as parameter data for a LUN that is not mapped
 * (§6.39.1). DESC (byte 1 bit 0) picks descriptor format.
 */
final class RequestSense implements CommandHandler {

    @Override
    public void execute(Task task) {
        byte[] cdb = task.cdb();
        boolean descriptor = Cdb.bit(cdb, 1, 0);
        Sense sense = Sense.LOGICAL_UNIT_NOT_SUPPORTED;
        if (task.unit() != null) {
            Sense attention = task.command().nexus() == null ? null
                    : task.unit().unitAttentions().take(task.command().nexus());
            sense = attention != null ? attention : Sense.NO_SENSE;
        }
        task.completeWith(SenseData.build(sense, null, null, descriptor), Cdb.u8(cdb, 4));
    }
}

package io.platter.scsi.command;

import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;

/**
 * REQUEST SENSE (SPC-5 §6.39). Sense is delivered with each CHECK CONDITION (autosense), so
 * there is never pending sense: NO SENSE, or LOGICAL UNIT NOT SUPPORTED as parameter data for a
 * LUN that is not mapped (§6.39.1). DESC (byte 1 bit 0) picks descriptor format.
 */
final class RequestSense implements CommandHandler {

    @Override
    public void execute(Task task) {
        byte[] cdb = task.cdb();
        boolean descriptor = Cdb.bit(cdb, 1, 0);
        Sense sense = task.unit() == null ? Sense.LOGICAL_UNIT_NOT_SUPPORTED : Sense.NO_SENSE;
        task.completeWith(SenseData.build(sense, null, null, descriptor), Cdb.u8(cdb, 4));
    }
}

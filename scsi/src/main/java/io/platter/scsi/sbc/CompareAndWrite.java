package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.RangeLocks;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import io.platter.scsi.vpd.BlockLimits;

/**
 * COMPARE AND WRITE (SBC-4 §5.3). The Data-Out holds the verify data then the write data, each
 * NUMBER OF LOGICAL BLOCKS long. The medium is compared with the verify data and, only if they
 * are equal, the write data is written; the whole holds its range exclusively in the unit's
 * {@link RangeLocks}, so it is atomic against every other command on those blocks (the VMware
 * ATS primitive). A difference ends in MISCOMPARE with the INFORMATION field holding the offset
 * of the first differing byte from the start of the Data-Out, and nothing is written. Zero
 * blocks with no Data-Out is GOOD and does nothing.
 */
final class CompareAndWrite implements CommandHandler {

    private static final int FUA_BYTE = 1;
    private static final int FUA_BIT = 3;
    private static final int BLOCKS_BYTE = 13;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        long lba = LbaField.SIXTEEN.lba(cdb);
        int blocks = Cdb.u8(cdb, BLOCKS_BYTE);
        if (blocks > BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw CheckConditionException.invalidCdbField(BLOCKS_BYTE);
        }
        LbaField.checkRange(unit, lba, blocks);
        int half = blocks * unit.blockSize();
        ByteBuf dataOut = task.dataOut();
        int sent = dataOut == null ? 0 : dataOut.readableBytes();
        if (sent != 2 * half) {
            // The Data-Out must be exactly verify + write data; anything else cannot be split.
            // This also catches a length of 256 blocks wrapped to 0 in the one-byte field.
            return new Plan.Failed(2 * half, CheckConditionException.invalidCdbField(BLOCKS_BYTE));
        }
        if (blocks == 0) {
            return Plan.good(0);
        }
        boolean durable = Cdb.bit(cdb, FUA_BYTE, FUA_BIT) || !unit.modeState().writeCacheEnabled();
        long offset = lba * unit.blockSize();
        int base = dataOut.readerIndex();
        ByteBuf writeData = dataOut.slice(base + half, half);
        return Plan.write(2 * half, offset, half, () -> {
            ByteBuf medium = unit.alloc().buffer(half);
            try {
                unit.device().read(offset, half, medium);
                if (!ByteBufUtil.equals(medium, 0, dataOut, base, half)) {
                    long at = Verify.firstDifference(medium, dataOut, base, half);
                    throw new CheckConditionException(Sense.MISCOMPARE_DURING_VERIFY, null, at);
                }
            } finally {
                medium.release();
            }
            unit.device().write(offset, writeData, durable);
            return null;
        });
    }
}

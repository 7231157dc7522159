package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.RangeLocks;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * ORWRITE (16) (SBC-4 §5.9): each byte of the range becomes the medium's byte OR the Data-Out's.
 * The read, the OR and the write run under the range held exclusively in the unit's
 * {@link RangeLocks}, so, like COMPARE AND WRITE, no other command sees or changes the blocks
 * between the read and the write. ORPROTECT is not supported (no protection information); DPO
 * is accepted and ignored, FUA (or WCE=0) makes the write durable. TRANSFER LENGTH 0 is GOOD and
 * does nothing; a length past MAXIMUM TRANSFER LENGTH is INVALID FIELD IN CDB.
 */
final class OrWrite implements CommandHandler {

    private static final int FUA_BYTE = 1;
    private static final int FUA_BIT = 3;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        long lba = LbaField.SIXTEEN.lba(cdb);
        long blocks = LbaField.SIXTEEN.transferLength(cdb);
        LbaField.checkRange(unit, lba, blocks);
        int bytes = (int) blocks * unit.blockSize();
        ByteBuf dataOut = task.dataOut();
        int available = dataOut == null ? 0 : dataOut.readableBytes();
        int writable = Math.min(bytes, available - available % unit.blockSize());
        if (writable == 0) {
            return Plan.good(bytes);
        }
        boolean durable = Cdb.bit(cdb, FUA_BYTE, FUA_BIT) || !unit.modeState().writeCacheEnabled();
        long offset = lba * unit.blockSize();
        int base = dataOut.readerIndex();
        return Plan.write(bytes, offset, writable, () -> {
            ByteBuf merged = unit.alloc().buffer(writable);
            try {
                unit.device().read(offset, writable, merged);
                int i = 0;
                for (; i + Long.BYTES <= writable; i += Long.BYTES) {
                    merged.setLong(i, merged.getLong(i) | dataOut.getLong(base + i));
                }
                for (; i < writable; i++) {
                    merged.setByte(i, merged.getByte(i) | dataOut.getByte(base + i));
                }
                unit.device().write(offset, merged, durable);
            } finally {
                merged.release();
            }
            return null;
        });
    }
}

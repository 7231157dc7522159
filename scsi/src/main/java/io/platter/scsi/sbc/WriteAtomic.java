package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
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
 * WRITE ATOMIC (16) (SBC-4 §5.48, atomic writes §4.29): the blocks are written all or nothing.
 * The task holds the range exclusively in the unit's {@link RangeLocks}, so no other command
 * sees part of it, and the data goes to the device as one contiguous buffer in one write call,
 * which a device that reports {@link io.platter.lun.BlockDevice#untornWriteBytes} applies as one
 * piece (one pwrite(2) for a raw image). A unit whose device makes no such promise (qcow2, whose
 * write may allocate a cluster and update its mapping per cluster it spans) reports atomic limits
 * of 0 in the Block Limits page and answers INVALID COMMAND OPERATION CODE.
 *
 * <p>Checks, in the order libiscsi's WriteAtomic16 tests and SBC-4 §5.48 agree on: a non-zero
 * ATOMIC BOUNDARY is INVALID FIELD IN CDB (MAXIMUM ATOMIC BOUNDARY SIZE is 0); a range off the
 * medium is LBA OUT OF RANGE; TRANSFER LENGTH 0 is GOOD and writes nothing; a length past
 * MAXIMUM ATOMIC TRANSFER LENGTH or not a multiple of ATOMIC TRANSFER LENGTH GRANULARITY points
 * at TRANSFER LENGTH, an LBA not a multiple of ATOMIC ALIGNMENT points at the LBA. Less Data-Out
 * than the transfer length writes nothing (a part would not be the atomic write asked for).
 */
final class WriteAtomic implements CommandHandler {

    private static final int FUA_BYTE = 1;
    private static final int FUA_BIT = 3;
    private static final int LBA_BYTE = 2;
    private static final int BOUNDARY_BYTE = 10;
    private static final int LENGTH_BYTE = 12;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        BlockLimits.AtomicLimits limits = BlockLimits.atomicLimits(unit);
        if (!limits.supported()) {
            throw new CheckConditionException(Sense.INVALID_COMMAND_OPERATION_CODE);
        }
        if (Cdb.u16(cdb, BOUNDARY_BYTE) != 0) {
            throw CheckConditionException.invalidCdbField(BOUNDARY_BYTE);
        }
        long lba = Cdb.u64(cdb, LBA_BYTE);
        int blocks = Cdb.u16(cdb, LENGTH_BYTE);
        LbaField.checkRange(unit, lba, blocks);
        if (blocks == 0) {
            return Plan.good(0);
        }
        if (blocks > limits.maxBlocks() || blocks % limits.granularityBlocks() != 0) {
            throw CheckConditionException.invalidCdbField(LENGTH_BYTE);
        }
        if (lba % limits.alignmentBlocks() != 0) {
            throw CheckConditionException.invalidCdbField(LBA_BYTE);
        }
        int bytes = blocks * unit.blockSize();
        ByteBuf dataOut = task.dataOut();
        if (dataOut == null || dataOut.readableBytes() < bytes) {
            return new Plan.Failed(bytes, CheckConditionException.invalidCdbField(LENGTH_BYTE));
        }
        boolean durable = Cdb.bit(cdb, FUA_BYTE, FUA_BIT) || !unit.modeState().writeCacheEnabled();
        long offset = lba * unit.blockSize();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), bytes);
        return Plan.write(bytes, offset, bytes, () -> {
            if (data.nioBufferCount() == 1) {
                unit.device().write(offset, data, durable);
                return null;
            }
            // Data-Out gathered from several PDUs: one contiguous copy, so the device gets one write.
            ByteBuf whole = unit.alloc().directBuffer(bytes);
            try {
                whole.writeBytes(data, data.readerIndex(), bytes);
                unit.device().write(offset, whole, durable);
            } finally {
                whole.release();
            }
            return null;
        });
    }
}

package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import io.platter.scsi.vpd.BlockLimits;

/**
 * WRITE SAME (10) (SBC-4 §5.44) and WRITE SAME (16) (SBC-4 §5.45): the one block of Data-Out (or,
 * with NDOB in the 16-byte CDB, a block of zeros) is written to every block of the range.
 *
 * <p>A block of zeros goes to {@link BlockDevice#discard} when that keeps the standard's promise:
 * with UNMAP set on a thin unit (the blocks become deallocated, reading as zeros as LBPRZ says),
 * and always on a fully provisioned unit (whose discard zeros the range and keeps it allocated,
 * as a write would). Anything else is written from a buffer of up to {@link #BUFFER_BYTES} filled
 * with copies of the block, chunk by chunk on the I/O executor. UNMAP with non-zero data writes
 * the data (the standard lets the device server write instead of unmap). UNMAP on a fully
 * provisioned unit is INVALID FIELD IN CDB (LBPWS=LBPWS10=0); ANCHOR is not supported. The Data-Out
 * must be exactly one block.
 *
 * <p>NUMBER OF LOGICAL BLOCKS 0 (WSNZ=0 in VPD B0h) writes from the LBA to the last block of the
 * medium (SBC-4 §5.44, §5.45); an LBA past the last block is LBA OUT OF RANGE, and a rest longer
 * than MAXIMUM WRITE SAME LENGTH is INVALID FIELD IN CDB pointing at the length field (SBC-4
 * §6.6.4: the limit applies to the number of blocks the command writes, however expressed).
 */
final class WriteSame implements CommandHandler {

    /** Size of the pattern buffer a long WRITE SAME is written from. */
    static final int BUFFER_BYTES = 1 << 20;

    private static final int FLAGS = 1;
    private static final int ANCHOR_BIT = 4;
    private static final int UNMAP_BIT = 3;
    private static final int NDOB_BIT = 0;

    private final LbaField field;

    WriteSame(LbaField field) {
        this.field = field;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        BlockDevice device = unit.device();
        if (Cdb.bit(cdb, FLAGS, ANCHOR_BIT)) {
            throw CheckConditionException.invalidCdbField(FLAGS, ANCHOR_BIT);
        }
        boolean unmap = Cdb.bit(cdb, FLAGS, UNMAP_BIT);
        if (unmap && !device.thin()) {
            throw CheckConditionException.invalidCdbField(FLAGS, UNMAP_BIT);
        }
        boolean noDataOut = field == LbaField.SIXTEEN && Cdb.bit(cdb, FLAGS, NDOB_BIT);
        long lba = field.lba(cdb);
        long blocks = field.length(cdb);
        if (blocks == 0) {
            blocks = toEndOfMedium(unit, lba);
        }
        if (blocks > BlockLimits.MAX_WRITE_SAME_BLOCKS) {
            throw CheckConditionException.invalidCdbField(field.lengthOffset());
        }
        LbaField.checkRange(unit, lba, blocks);
        int blockSize = unit.blockSize();
        int dataOutLength = noDataOut ? 0 : blockSize;
        ByteBuf block = null;
        if (!noDataOut) {
            ByteBuf dataOut = task.dataOut();
            if (dataOut == null || dataOut.readableBytes() != blockSize) {
                // The CDB asks for one block; a transfer of any other size is not a WRITE SAME.
                return new Plan.Failed(dataOutLength, new CheckConditionException(Sense.INVALID_FIELD_IN_CDB));
            }
            block = dataOut.slice(dataOut.readerIndex(), blockSize);
        }
        boolean zeros = block == null || isZero(block);
        long offset = lba * blockSize;
        long length = blocks * blockSize;
        boolean durable = !unit.modeState().writeCacheEnabled();
        ByteBuf pattern = block;
        return Plan.write(dataOutLength, offset, length, () -> {
            if (zeros && (unmap || !device.thin())) {
                device.discard(offset, length);
                if (durable) {
                    device.flush();
                }
            } else {
                writeRepeated(unit, pattern, offset, length, durable);
            }
            return null;
        });
    }

    /** The blocks from {@code lba} to the last one; LBA OUT OF RANGE when {@code lba} is not on the medium. */
    private static long toEndOfMedium(UnitContext unit, long lba) throws CheckConditionException {
        long capacity = unit.blockCount();
        if (lba < 0 || lba >= capacity) {
            throw new CheckConditionException(Sense.LBA_OUT_OF_RANGE);
        }
        return capacity - lba;
    }

    /**
     * Writes {@code block} (or zeros when null) over {@code length} bytes at {@code offset}.
     * Does not take ownership of {@code block}.
     */
    private static void writeRepeated(UnitContext unit, ByteBuf block, long offset, long length, boolean durable)
            throws BlockDeviceException {
        int size = (int) Math.min(length, BUFFER_BYTES);
        ByteBuf buffer = unit.alloc().directBuffer(size);
        try {
            if (block == null) {
                buffer.writeZero(size);
            } else {
                buffer.writeBytes(block, block.readerIndex(), block.readableBytes());
                while (buffer.writerIndex() < size) { // doubling copies within the buffer
                    buffer.writeBytes(buffer, 0, Math.min(buffer.writerIndex(), size - buffer.writerIndex()));
                }
            }
            for (long done = 0; done < length; done += size) {
                int n = (int) Math.min(size, length - done);
                unit.device().write(offset + done, buffer.slice(0, n), durable);
            }
        } finally {
            buffer.release();
        }
    }

    /** Whether every byte of {@code b}'s readable bytes is zero. */
    static boolean isZero(ByteBuf b) {
        int i = b.readerIndex();
        int end = b.writerIndex();
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.getByte(i) != 0) {
                return false;
            }
        }
        return true;
    }
}

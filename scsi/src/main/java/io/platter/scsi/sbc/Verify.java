package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.RangeLocks;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * VERIFY (10), (12) and (16) (SBC-4 §5.29-§5.31). BYTCHK 00b: the medium needs no checking
 * beyond the range; 01b: the Data-Out is compared with the medium, a difference ends in MISCOMPARE with
 * the offset of the first differing byte in the INFORMATION field; 10b and 11b are not supported.
 * The compare holds its range shared in the unit's {@link RangeLocks}.
 */
final class Verify implements CommandHandler {

    private static final int BYTCHK_BYTE = 1;
    private static final int BYTCHK_HIGH_BIT = 2;
    private static final int CHUNK = 1 << 20;

    private final LbaField field;

    Verify(LbaField field) {
        this.field = field;
    }

    /** BYTCHK (byte 1 bits 2:1, SBC-4 §5.39): 00b no data, 01b compare; the others are not supported. */
    static int bytchk(byte[] cdb) throws CheckConditionException {
        int bytchk = Cdb.u8(cdb, BYTCHK_BYTE) >> 1 & 0b11;
        if (bytchk > 1) {
            throw CheckConditionException.invalidCdbField(BYTCHK_BYTE, BYTCHK_HIGH_BIT);
        }
        return bytchk;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        int bytchk = bytchk(cdb);
        long lba = field.lba(cdb);
        long blocks = field.transferLength(cdb);
        LbaField.checkRange(unit, lba, blocks);
        if (bytchk == 0 || blocks == 0) {
            return Plan.GOOD;
        }
        int bytes = (int) blocks * unit.blockSize();
        ByteBuf dataOut = task.dataOut();
        if (dataOut == null || dataOut.readableBytes() < bytes) {
            throw CheckConditionException.invalidCdbField(field.lengthOffset());
        }
        long offset = lba * unit.blockSize();
        int base = dataOut.readerIndex();
        return Plan.read(offset, bytes, null, () -> {
            compare(unit, offset, dataOut, base, bytes);
            return null;
        });
    }

    /**
     * Compares {@code bytes} of the medium at {@code offset} with {@code data} from index
     * {@code base}; a difference is MISCOMPARE DURING VERIFY with the offset of the first differing
     * byte in the INFORMATION field. Runs on the I/O executor. Does not take ownership of {@code data}.
     */
    static void compare(UnitContext unit, long offset, ByteBuf data, int base, int bytes)
            throws BlockDeviceException, CheckConditionException {
        ByteBuf medium = unit.alloc().buffer(Math.min(CHUNK, bytes));
        try {
            for (int done = 0; done < bytes; done += CHUNK) {
                int n = Math.min(CHUNK, bytes - done);
                medium.clear();
                unit.device().read(offset + done, n, medium);
                if (!ByteBufUtil.equals(medium, 0, data, base + done, n)) {
                    long at = done + firstDifference(medium, data, base + done, n);
                    throw new CheckConditionException(Sense.MISCOMPARE_DURING_VERIFY, null, at);
                }
            }
        } finally {
            medium.release();
        }
    }

    static int firstDifference(ByteBuf medium, ByteBuf data, int dataIndex, int n) {
        for (int i = 0; i < n; i++) {
            if (medium.getByte(medium.readerIndex() + i) != data.getByte(dataIndex + i)) {
                return i;
            }
        }
        return n;
    }
}

package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * WRITE AND VERIFY (10), (12) and (16) (SBC-4 §5.40-§5.42). The data is written durably
 * (verifying the medium means the data is on it, not in a cache), then with BYTCHK 01b read back
 * and compared with the Data-Out; a difference is MISCOMPARE DURING VERIFY. With BYTCHK 00b the
 * medium needs no checking beyond what the durable write already reported. BYTCHK 10b and 11b are
 * reserved for this command. Short or excess Data-Out is handled as for WRITE ({@link ReadWrite}).
 */
final class WriteAndVerify implements CommandHandler {


    private final LbaField field;

    WriteAndVerify(LbaField field) {
        this.field = field;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        int bytchk = Verify.bytchk(cdb);
        long lba = field.lba(cdb);
        long blocks = field.transferLength(cdb);
        LbaField.checkRange(unit, lba, blocks);
        int dataOutLength = (int) blocks * unit.blockSize();
        ByteBuf dataOut = task.dataOut();
        int available = dataOut == null ? 0 : dataOut.readableBytes();
        int writable = (int) Math.min(blocks * unit.blockSize(), available - available % unit.blockSize());
        if (writable == 0) {
            return Plan.good(dataOutLength);
        }
        long offset = lba * unit.blockSize();
        int base = dataOut.readerIndex();
        ByteBuf data = dataOut.slice(base, writable);
        // The write and the read-back hold the range together, so no other write lands in between.
        return Plan.write(dataOutLength, offset, writable, () -> {
            unit.device().write(offset, data, true);
            if (bytchk == 1) {
                Verify.compare(unit, offset, dataOut, base, writable);
            }
            return null;
        });
    }
}

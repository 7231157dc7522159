package io.platter.scsi.sbc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;

/**
 * READ CAPACITY (10) (SBC-4 §5.20) and READ CAPACITY (16) (SBC-4 §5.21, SERVICE ACTION IN(16)
 * 9Eh/10h). The obsolete PMI and LBA fields are accepted and ignored. A thin unit reports LBPME
 * (logical block provisioning management enabled) and LBPRZ (unmapped blocks read as zeros).
 */
final class ReadCapacity implements CommandHandler {

    /** LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: 2^3 blocks of 512 bytes = 4 KiB physical blocks. */
    static final int LBPPBE = 3;
    private static final int LENGTH_16 = 32;
    /** Byte 14: LBPME (bit 7) and LBPRZ (bit 6). */
    private static final int LBPME_LBPRZ = 0xC0;

    private final boolean sixteen;

    ReadCapacity(boolean sixteen) {
        this.sixteen = sixteen;
    }

    @Override
    public Plan plan(Task task) {
        UnitContext unit = task.unit();
        long lastLba = unit.blockCount() - 1;
        if (!sixteen) {
            ByteBuffer b = ByteBuffer.allocate(8);
            // 0xFFFFFFFF tells the initiator to use READ CAPACITY (16).
            b.putInt((int) Math.min(lastLba, 0xFFFF_FFFFL));
            b.putInt(unit.blockSize());
            return Plan.reply(b.array(), 8);
        }
        ByteBuffer b = ByteBuffer.allocate(LENGTH_16);
        b.putLong(lastLba);
        b.putInt(unit.blockSize());
        b.put((byte) 0);        // P_TYPE, PROT_EN 0
        b.put((byte) LBPPBE);   // P_I_EXPONENT 0
        b.put((byte) (unit.device().thin() ? LBPME_LBPRZ : 0)); // LOWEST ALIGNED LBA 0
        b.put((byte) 0);
        return Plan.reply(b.array(), Cdb.u32(task.cdb(), 10));
    }
}

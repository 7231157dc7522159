package io.platter.scsi.vpd;

import io.platter.scsi.command.UnitContext;
import java.nio.ByteBuffer;

/**
 * Block Limits page, B0h (SBC-4 §6.6.4). No UNMAP, WRITE SAME or COMPARE AND WRITE limits yet:
 * those commands come later and report zero (not supported) until then.
 */
public final class BlockLimits implements VpdPage {

    /** MAXIMUM TRANSFER LENGTH in blocks (8 MiB); longer READ/WRITE/VERIFY are INVALID FIELD IN CDB. */
    public static final int MAX_TRANSFER_BLOCKS = 16384;
    /** OPTIMAL TRANSFER LENGTH GRANULARITY: one 4 KiB physical block. */
    public static final int OPTIMAL_GRANULARITY_BLOCKS = 8;
    private static final int PAGE_LENGTH = 0x3C;

    @Override
    public int pageCode() {
        return 0xB0;
    }

    @Override
    public byte[] body(UnitContext unit) {
        ByteBuffer b = ByteBuffer.allocate(PAGE_LENGTH);
        // Offsets below are relative to byte 4 of the page.
        b.putShort(6 - 4, (short) OPTIMAL_GRANULARITY_BLOCKS);
        b.putInt(8 - 4, MAX_TRANSFER_BLOCKS);
        return b.array();
    }
}

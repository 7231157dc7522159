package io.platter.scsi.vpd;

import io.platter.scsi.command.UnitContext;
import java.nio.ByteBuffer;

/**
 * Block Limits page, B0h (SBC-4 §6.6.4). No UNMAP or WRITE SAME limits yet: those commands come
 * later and report zero (not supported) until then.
 */
public final class BlockLimits implements VpdPage {

    /** MAXIMUM TRANSFER LENGTH in blocks (8 MiB); longer READ/WRITE/VERIFY are INVALID FIELD IN CDB. */
    public static final int MAX_TRANSFER_BLOCKS = 16384;
    /** OPTIMAL TRANSFER LENGTH GRANULARITY: one 4 KiB physical block. */
    public static final int OPTIMAL_GRANULARITY_BLOCKS = 8;
    /**
     * MAXIMUM COMPARE AND WRITE LENGTH in blocks (64 KiB per half). ESXi's ATS uses 1; the limit
     * bounds how long one compare holds its range exclusively.
     */
    public static final int MAX_COMPARE_AND_WRITE_BLOCKS = 128;
    private static final int PAGE_LENGTH = 0x3C;

    @Override
    public int pageCode() {
        return 0xB0;
    }

    @Override
    public byte[] body(UnitContext unit) {
        ByteBuffer b = ByteBuffer.allocate(PAGE_LENGTH);
        // Offsets below are relative to byte 4 of the page.
        b.put(5 - 4, (byte) MAX_COMPARE_AND_WRITE_BLOCKS);
        b.putShort(6 - 4, (short) OPTIMAL_GRANULARITY_BLOCKS);
        b.putInt(8 - 4, MAX_TRANSFER_BLOCKS);
        return b.array();
    }
}

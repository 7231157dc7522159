package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;

/**
 * Block Limits page, B0h (SBC-4 §6.6.4). WSNZ is clear: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0
 * writes to the end of the medium, bounded like any WRITE SAME by MAXIMUM WRITE SAME LENGTH. The UNMAP fields
 * are non-zero only for thin units, the only ones that serve UNMAP.
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
    /** MAXIMUM UNMAP LBA COUNT: 512 MiB per UNMAP command (libiscsi calls more than 2^20 insane). */
    public static final int MAX_UNMAP_BLOCKS = 1 << 20;
    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT. */
    public static final int MAX_UNMAP_DESCRIPTORS = 256;
    /**
     * OPTIMAL UNMAP GRANULARITY: 4 KiB, the hole-punching unit of the raw thin image; unaligned
     * edges are zeroed rather than deallocated. UNMAP GRANULARITY ALIGNMENT is 0 (UGAVALID set).
     */
    public static final int UNMAP_GRANULARITY_BLOCKS = 8;
    /**
     * MAXIMUM WRITE SAME LENGTH: 65535 blocks (32 MiB), the most WRITE SAME (10) can express, so
     * both CDB sizes share one limit. Kept below 65536 also because libiscsi's WriteSame16.Unmap
     * writes 65536 blocks with a single WRITE (16) (beyond {@link #MAX_TRANSFER_BLOCKS}) whenever
     * this limit allows a 65536-block WRITE SAME.
     */
    public static final int MAX_WRITE_SAME_BLOCKS = 0xFFFF;

    private static final int PAGE_LENGTH = 0x3C;
    private static final int UGAVALID = 0x8000_0000;

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
        if (unit.device().thin()) {
            b.putInt(20 - 4, MAX_UNMAP_BLOCKS);
            b.putInt(24 - 4, MAX_UNMAP_DESCRIPTORS);
            b.putInt(28 - 4, UNMAP_GRANULARITY_BLOCKS);
            b.putInt(32 - 4, UGAVALID);
        }
        b.putLong(36 - 4, MAX_WRITE_SAME_BLOCKS);
        return b.array();
    }
}

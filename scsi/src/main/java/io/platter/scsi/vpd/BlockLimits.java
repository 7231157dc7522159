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

    /**
     * MAXIMUM ATOMIC TRANSFER LENGTH in bytes (128 KiB): what one WRITE ATOMIC (16) may write,
     * well within {@link #MAX_TRANSFER_BLOCKS} and long enough for database pages and libiscsi's
     * 256-block atomic writes of 512-byte blocks.
     */
    public static final int MAX_ATOMIC_BYTES = 128 * 1024;
    /**
     * ATOMIC ALIGNMENT and ATOMIC TRANSFER LENGTH GRANULARITY in bytes: one 4 KiB physical block,
     * so an atomic write covers whole host pages and never shares one with another write.
     */
    public static final int ATOMIC_UNIT_BYTES = 4096;

    /**
     * The atomic write limits of a unit, in logical blocks (SBC-4 §4.29, §6.6.4); all 0 when its
     * device cannot apply a write untorn ({@link io.platter.lun.BlockDevice#untornWriteBytes}),
     * so WRITE ATOMIC is not offered there.
     */
    public record AtomicLimits(int maxBlocks, int alignmentBlocks, int granularityBlocks) {

        public static final AtomicLimits NONE = new AtomicLimits(0, 0, 0);

        public boolean supported() {
            return maxBlocks > 0;
        }
    }

    /** The atomic write limits of {@code unit}. */
    public static AtomicLimits atomicLimits(UnitContext unit) {
        int untorn = unit.device().untornWriteBytes();
        int blockSize = unit.blockSize();
        int max = Math.min(MAX_ATOMIC_BYTES, untorn - untorn % ATOMIC_UNIT_BYTES);
        if (max < ATOMIC_UNIT_BYTES || blockSize > ATOMIC_UNIT_BYTES) {
            return AtomicLimits.NONE;
        }
        int unitBlocks = ATOMIC_UNIT_BYTES / blockSize;
        return new AtomicLimits(max / blockSize, unitBlocks, unitBlocks);
    }

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
        // The boundary fields (56-63) stay 0: WRITE ATOMIC with an ATOMIC BOUNDARY is not supported.
        AtomicLimits atomic = atomicLimits(unit);
        b.putInt(44 - 4, atomic.maxBlocks());
        b.putInt(48 - 4, atomic.alignmentBlocks());
        b.putInt(52 - 4, atomic.granularityBlocks());
        return b.array();
    }
}

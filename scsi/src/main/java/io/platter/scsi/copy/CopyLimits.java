package io.platter.scsi.copy;

import io.platter.scsi.task.UnitContext;

/**
 * The copy manager's limits for EXTENDED COPY (LID1), reported by RECEIVE COPY RESULTS
 * OPERATING PARAMETERS (SPC-3 §6.17.4) and the Third-party Copy VPD page (SPC-4 §7.8.17), and
 * enforced by {@link CopyParameterList}.
 */
public final class CopyLimits {

    /** Identification descriptor target descriptor (SPC-4 §6.4.5.x, type E4h). */
    public static final int IDENTIFICATION_TARGET = 0xE4;
    /** Block device to block device segment descriptor (SPC-4 §6.4.6.x, type 02h). */
    public static final int BLOCK_TO_BLOCK_SEGMENT = 0x02;
    /** The descriptor type codes implemented, ascending. */
    public static final int[] DESCRIPTOR_TYPES = {BLOCK_TO_BLOCK_SEGMENT, IDENTIFICATION_TARGET};

    public static final int MAX_TARGET_DESCRIPTORS = 8;
    public static final int MAX_SEGMENT_DESCRIPTORS = 16;
    /** MAXIMUM DESCRIPTOR LIST LENGTH: target plus segment descriptor bytes. */
    public static final int MAX_DESCRIPTOR_LIST_LENGTH = 1024;
    /** MAXIMUM SEGMENT LENGTH in bytes: the 16-bit BLOCK DEVICE NUMBER OF BLOCKS of 512-byte blocks. */
    public static final int MAX_SEGMENT_BYTES = 0xFFFF * UnitContext.BLOCK_SIZE;
    /** Copies run as ordinary tasks; the CmdSN window, not the copy manager, bounds how many. */
    public static final int MAX_CONCURRENT_COPIES = 0xFF;
    /** DATA SEGMENT GRANULARITY as a power of two: one logical block. */
    public static final int DATA_SEGMENT_GRANULARITY_LOG2 = 9;
    /** Bytes moved per read/write pair while copying. */
    static final int CHUNK_BYTES = 1 << 20;

    private CopyLimits() {
    }
}

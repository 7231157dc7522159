package io.platter.lun.qcow2;

/**
 * An L2 table entry (qcow2.txt "Cluster mapping"): a standard or compressed cluster descriptor
 * plus the COPIED bit. The compressed layout depends on cluster_bits, so those accessors take it.
 */
public record L2Entry(long raw) {

    /** What a guest cluster maps to. */
    public enum Kind {
        /** Not allocated here: read from the backing file, or zeros. */
        UNALLOCATED,
        /** Reads as zeros and owns no host cluster (v3 zero flag). */
        ZERO,
        /** Reads as zeros but keeps a preallocated host cluster. */
        ZERO_ALLOCATED,
        /** A host cluster holding the guest cluster's bytes. */
        NORMAL,
        /** Deflate-compressed bytes somewhere in the host file. */
        COMPRESSED
    }

    static final long COPIED = 1L << 63;
    static final long COMPRESSED_FLAG = 1L << 62;
    static final long ZERO_FLAG = 1L;
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    /** Reserved bits of a standard descriptor: 1-8 and 56-61. */
    static final long STANDARD_RESERVED = 0x3f00_0000_0000_01feL;
    static final L2Entry UNALLOCATED = new L2Entry(0);
    static final L2Entry ZERO = new L2Entry(ZERO_FLAG);

    public static L2Entry normal(long hostOffset, boolean copied) {
        return new L2Entry(hostOffset | (copied ? COPIED : 0));
    }

    public Kind kind() {
        if ((raw & COMPRESSED_FLAG) != 0) {
            return Kind.COMPRESSED;
        }
        boolean zero = (raw & ZERO_FLAG) != 0;
        if (hostOffset() == 0) {
            return zero ? Kind.ZERO : Kind.UNALLOCATED;
        }
        return zero ? Kind.ZERO_ALLOCATED : Kind.NORMAL;
    }

    /** The host cluster of a standard entry. */
    public long hostOffset() {
        return raw & OFFSET_MASK;
    }

    public boolean copied() {
        return (raw & COPIED) != 0;
    }

    public L2Entry withCopied(boolean copied) {
        return new L2Entry(copied ? raw | COPIED : raw & ~COPIED);
    }

    /** Whether the entry holds a host cluster of its own (standard, possibly zero-flagged). */
    public boolean ownsHostCluster() {
        Kind k = kind();
        return k == Kind.NORMAL || k == Kind.ZERO_ALLOCATED;
    }

    /** Bit x where the compressed sector count starts: 62 - (cluster_bits - 8). */
    private static int compressedShift(int clusterBits) {
        return 62 - (clusterBits - 8);
    }

    /** Host byte offset where the compressed data starts (not aligned). */
    public long compressedOffset(int clusterBits) {
        return raw & ((1L << compressedShift(clusterBits)) - 1);
    }

    /** Bytes that may hold the compressed data: the sectors from the one holding the offset. */
    public int compressedLength(int clusterBits) {
        int shift = compressedShift(clusterBits);
        long sectors = ((raw & ~(COPIED | COMPRESSED_FLAG)) >>> shift) + 1;
        return (int) (sectors * 512 - (compressedOffset(clusterBits) & 511));
    }

    /** First byte of the 512-byte sectors a compressed entry occupies (refcounts cover these). */
    public long compressedSectorStart(int clusterBits) {
        return compressedOffset(clusterBits) & ~511L;
    }

    /** Number of bytes of whole sectors the compressed entry occupies. */
    public long compressedSectorBytes(int clusterBits) {
        int shift = compressedShift(clusterBits);
        return (((raw & ~(COPIED | COMPRESSED_FLAG)) >>> shift) + 1) * 512;
    }

    /** A compressed entry (for tests and tools): data at {@code offset} spanning {@code sectors} sectors. */
    public static L2Entry compressed(long offset, int extraSectors, int clusterBits) {
        return new L2Entry(COMPRESSED_FLAG | ((long) extraSectors << compressedShift(clusterBits)) | offset);
    }
}

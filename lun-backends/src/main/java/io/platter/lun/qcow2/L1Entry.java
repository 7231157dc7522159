package io.platter.lun.qcow2;

/** An L1 table entry (qcow2.txt "Cluster mapping"): the host offset of an L2 table and the COPIED bit. */
public record L1Entry(long raw) {

    static final long COPIED = 1L << 63;
    /** Bits 9-55: the L2 table offset. */
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    static final long RESERVED_MASK = ~(OFFSET_MASK | COPIED);

    public static L1Entry of(long l2Offset, boolean copied) {
        return new L1Entry(l2Offset | (copied ? COPIED : 0));
    }

    public long l2Offset() {
        return raw & OFFSET_MASK;
    }

    public boolean allocated() {
        return l2Offset() != 0;
    }

    /** The L2 table's refcount is exactly one (meaningful only in the active L1 table). */
    public boolean copied() {
        return (raw & COPIED) != 0;
    }

    public boolean hasReservedBits() {
        return (raw & RESERVED_MASK) != 0;
    }

    public L1Entry withCopied(boolean copied) {
        return new L1Entry(copied ? raw | COPIED : raw & ~COPIED);
    }
}

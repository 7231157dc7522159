package io.platter.lun.qcow2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The qcow2 file header (qcow2.txt "Header"): the 72-byte version 2 header plus the version 3
 * fields through header_length. Pure value: {@link #parse} validates what can be checked without
 * the rest of the file, {@link #encode} writes a fresh header for {@link Qcow2Image#create}.
 */
public record Header(
        int version,
        long backingFileOffset,
        int backingFileSize,
        int clusterBits,
        long size,
        int cryptMethod,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int nbSnapshots,
        long snapshotsOffset,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength) {

    /** "QFI\xfb". */
    public static final int MAGIC = 0x514649fb;
    static final int V2_LENGTH = 72;
    static final int V3_LENGTH = 104;
    public static final int MIN_CLUSTER_BITS = 9;
    /** QEMU's implementation limit (2 MiB clusters); larger images would not interoperate. */
    public static final int MAX_CLUSTER_BITS = 21;
    static final int MAX_BACKING_NAME = 1023;

    /** Byte offsets of the fields rewritten in place by the runtime. */
    /** size (8 bytes), crypt_method (4), l1_size (4), l1_table_offset (8): rewritten together on resize. */
    static final int OFFSET_SIZE = 24;
    /** backing_file_offset (8 bytes) and backing_file_size (4): cleared together by a flatten. */
    static final int OFFSET_BACKING_FILE = 8;
    /**
     * l1_size (4 bytes), l1_table_offset (8), refcount_table_offset (8), refcount_table_clusters
     * (4), nb_snapshots (4), snapshots_offset (8): bytes 36-71, inside the first sector, so one
     * write switches all snapshot-dependent metadata at once (see {@link MetadataRewrite}).
     */
    static final int OFFSET_L1_SIZE = 36;
    static final int METADATA_LENGTH = 36;
    static final int OFFSET_REFCOUNT_TABLE = 48;
    static final int OFFSET_SNAPSHOTS = 60;
    static final int OFFSET_AUTOCLEAR = 88;

    public int clusterSize() {
        return 1 << clusterBits;
    }

    /** Parses and checks the header at the start of {@code buf} (big endian, at least 104 bytes readable). */
    public static Header parse(ByteBuffer buf) throws Qcow2FormatException {
        ByteBuffer b = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        if (b.remaining() < V2_LENGTH || b.getInt(start) != MAGIC) {
            throw new Qcow2FormatException("not a qcow2 image (bad magic)");
        }
        int version = b.getInt(start + 4);
        if (version != 2 && version != 3) {
            throw new Qcow2FormatException("unsupported qcow2 version " + version);
        }
        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = V2_LENGTH;
        if (version == 3) {
            if (b.remaining() < V3_LENGTH) {
                throw new Qcow2FormatException("version 3 header is truncated");
            }
            incompatible = b.getLong(start + 72);
            compatible = b.getLong(start + 80);
            autoclear = b.getLong(start + 88);
            refcountOrder = b.getInt(start + 96);
            headerLength = b.getInt(start + 100);
        }
        Header h = new Header(version, b.getLong(start + 8), b.getInt(start + 16), b.getInt(start + 20),
                b.getLong(start + 24), b.getInt(start + 32), b.getInt(start + 36), b.getLong(start + 40),
                b.getLong(start + 48), b.getInt(start + 56), b.getInt(start + 60), b.getLong(start + 64),
                incompatible, compatible, autoclear, refcountOrder, headerLength);
        h.validate();
        return h;
    }

    private void validate() throws Qcow2FormatException {
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new Qcow2FormatException("cluster_bits " + clusterBits + " outside 9..21");
        }
        if (version == 3 && (headerLength < V3_LENGTH || headerLength % 8 != 0 || headerLength > clusterSize())) {
            throw new Qcow2FormatException("bad header_length " + headerLength);
        }
        if (refcountOrder < 0 || refcountOrder > 6) {
            throw new Qcow2FormatException("refcount_order " + refcountOrder + " outside 0..6");
        }
        if (cryptMethod != 0) {
            throw new Qcow2FormatException("encrypted qcow2 images are not supported (crypt_method " + cryptMethod + ")");
        }
        long unknown = incompatibleFeatures & ~Feature.SUPPORTED_INCOMPATIBLE;
        if (unknown != 0) {
            throw new Qcow2FormatException("unsupported incompatible features: "
                    + Feature.describe(Feature.Kind.INCOMPATIBLE, unknown));
        }
        if (size < 0 || size % 512 != 0) {
            throw new Qcow2FormatException("virtual size " + size + " is not a multiple of 512");
        }
        if (l1Size < 0) {
            throw new Qcow2FormatException("negative l1_size " + l1Size);
        }
        if (refcountTableClusters <= 0) {
            throw new Qcow2FormatException("no refcount table (refcount_table_clusters " + refcountTableClusters + ")");
        }
        if (nbSnapshots < 0 || nbSnapshots > Snapshot.MAX_SNAPSHOTS) {
            throw new Qcow2FormatException("nb_snapshots " + Integer.toUnsignedString(nbSnapshots) + " is too large");
        }
        if (backingFileOffset != 0 && (backingFileSize < 0 || backingFileSize > MAX_BACKING_NAME
                || backingFileOffset < 0 || backingFileOffset + backingFileSize > clusterSize())) {
            throw new Qcow2FormatException("backing file name does not fit in the first cluster");
        }
        checkAligned("l1_table_offset", l1TableOffset);
        checkAligned("refcount_table_offset", refcountTableOffset);
        checkAligned("snapshots_offset", snapshotsOffset);
    }

    private void checkAligned(String field, long offset) throws Qcow2FormatException {
        if (offset < 0 || (offset & (clusterSize() - 1)) != 0) {
            throw new Qcow2FormatException(field + " " + offset + " is not cluster aligned");
        }
    }

    /** Bytes of the header proper (72 for version 2). */
    int length() {
        return version == 2 ? V2_LENGTH : headerLength;
    }

    public boolean hasBackingFile() {
        return backingFileOffset != 0;
    }

    /** Whether zero clusters (bit 0 of the standard cluster descriptor) may be used. */
    boolean zeroClusters() {
        return version >= 3;
    }

    /** L2 entries per table (one cluster of 8-byte entries). */
    int l2Entries() {
        return clusterSize() / 8;
    }

    /** This header with another guest size and L1 table. */
    Header withGeometry(long newSize, int newL1Size, long newL1Offset) {
        return new Header(version, backingFileOffset, backingFileSize, clusterBits, newSize, cryptMethod, newL1Size,
                newL1Offset, refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength);
    }

    /** This header with another L1 table, refcount table and snapshot table (the fields at {@link #OFFSET_L1_SIZE}). */
    Header withMetadata(int newL1Size, long newL1Offset, long newRefcountTableOffset, int newRefcountTableClusters,
            int newNbSnapshots, long newSnapshotsOffset) {
        return new Header(version, backingFileOffset, backingFileSize, clusterBits, size, cryptMethod, newL1Size,
                newL1Offset, newRefcountTableOffset, newRefcountTableClusters, newNbSnapshots, newSnapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength);
    }

    /**
     * The fields size and crypt_method (bytes 24-35) followed by those at {@link #OFFSET_L1_SIZE}:
     * what a revert to a snapshot of another disk size writes at {@link #OFFSET_SIZE}, in one
     * write inside the first sector.
     */
    ByteBuffer encodeSizeAndMetadata() {
        return ByteBuffer.allocate(12 + METADATA_LENGTH).order(ByteOrder.BIG_ENDIAN).putLong(size).putInt(cryptMethod)
                .put(encodeMetadata()).flip();
    }

    /** The fields at {@link #OFFSET_L1_SIZE} as {@link #METADATA_LENGTH} big-endian bytes. */
    ByteBuffer encodeMetadata() {
        return ByteBuffer.allocate(METADATA_LENGTH).order(ByteOrder.BIG_ENDIAN).putInt(l1Size).putLong(l1TableOffset)
                .putLong(refcountTableOffset).putInt(refcountTableClusters).putInt(nbSnapshots)
                .putLong(snapshotsOffset).flip();
    }

    /** This header without a backing file. */
    Header withoutBacking() {
        return new Header(version, 0, 0, clusterBits, size, cryptMethod, l1Size, l1TableOffset,
                refcountTableOffset, refcountTableClusters, nbSnapshots, snapshotsOffset,
                incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder, headerLength);
    }

    /** L1 entries needed to map {@code size} bytes with {@code clusterBits}. */
    static long l1EntriesFor(long size, int clusterBits) {
        long perL1 = 1L << (clusterBits + clusterBits - 3);
        return (size + perL1 - 1) / perL1;
    }

    /** The header as {@link #length()} big-endian bytes. */
    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(length()).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putInt(version).putLong(backingFileOffset).putInt(backingFileSize).putInt(clusterBits)
                .putLong(size).putInt(cryptMethod).putInt(l1Size).putLong(l1TableOffset)
                .putLong(refcountTableOffset).putInt(refcountTableClusters).putInt(nbSnapshots)
                .putLong(snapshotsOffset);
        if (version >= 3) {
            b.putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclearFeatures)
                    .putInt(refcountOrder).putInt(headerLength);
        }
        return b.flip();
    }
}

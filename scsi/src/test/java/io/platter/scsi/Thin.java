package io.platter.scsi;

import java.nio.ByteBuffer;

/** CDB and parameter list builders for the thin provisioning commands. */
final class Thin {

    static final int UNMAP = 0x42;
    static final int WRITE_SAME_10 = 0x41;
    static final int WRITE_SAME_16 = 0x93;
    /** WRITE SAME byte 1 bits. */
    static final int ANCHOR = 0x10;
    static final int UNMAP_BIT = 0x08;
    static final int NDOB = 0x01;

    private Thin() {
    }

    /** UNMAP (10) with a PARAMETER LIST LENGTH and byte 1 flags. */
    static byte[] unmap(int listLength, int flags) {
        return Fixture.cdb(UNMAP, flags, 0, 0, 0, 0, 0, listLength >>> 8, listLength, 0);
    }

    /** An UNMAP parameter list with a consistent header; {@code lbaBlocks} alternates LBA, count. */
    static byte[] unmapList(long... lbaBlocks) {
        int descriptors = lbaBlocks.length / 2;
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * descriptors);
        b.putShort((short) (6 + 16 * descriptors));
        b.putShort((short) (16 * descriptors));
        b.putInt(0);
        for (int i = 0; i < descriptors; i++) {
            b.putLong(lbaBlocks[2 * i]);
            b.putInt((int) lbaBlocks[2 * i + 1]);
            b.putInt(0);
        }
        return b.array();
    }

    static byte[] writeSame10(long lba, int blocks, int flags) {
        return Fixture.rw10(WRITE_SAME_10, lba, blocks, flags);
    }

    static byte[] writeSame16(long lba, long blocks, int flags) {
        return Fixture.rw16(WRITE_SAME_16, lba, blocks, flags);
    }

    /** GET LBA STATUS: SERVICE ACTION IN(16) 9Eh/12h. */
    static byte[] getLbaStatus(long lba, long allocationLength) {
        byte[] b = Fixture.rw16(0x9E, lba, allocationLength, 0x12);
        return b;
    }

    static byte[] block(int fill) {
        byte[] b = new byte[512];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }
}

package io.platter.tests.support;

import java.nio.ByteBuffer;

/** CDBs (and UNMAP / COMPARE AND WRITE parameter data) the attach profiles send; each cites SPC-5/SBC-4. */
public final class Cdb {

    private Cdb() {
    }

    /** INQUIRY (SPC-5 §6.7): standard data, or the VPD {@code page} when {@code page >= 0}. */
    public static byte[] inquiry(int page) {
        return new byte[] {0x12, (byte) (page >= 0 ? 1 : 0), (byte) Math.max(page, 0), 0x10, 0, 0};
    }

    /** READ CAPACITY(16) (SBC-4 §5.21): SERVICE ACTION IN(16) 10h, 32 bytes. */
    public static byte[] readCapacity16() {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x10;
        c[13] = 32;
        return c;
    }

    /** REPORT LUNS (SPC-5 §6.33), select report 0. */
    public static byte[] reportLuns() {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA0;
        ByteBuffer.wrap(c).putInt(6, 4096);
        return c;
    }

    /** MODE SENSE(10) (SPC-5 §6.14) of current values of {@code page}, DBD set. */
    public static byte[] modeSense10(int page) {
        return new byte[] {0x5A, 0x08, (byte) (page & 0x3F), 0, 0, 0, 0, 0x10, 0, 0};
    }

    /** REPORT TARGET PORT GROUPS (SPC-5 §6.36): MAINTENANCE IN A3h, service action 0Ah. */
    public static byte[] reportTargetPortGroups() {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0A;
        ByteBuffer.wrap(c).putInt(6, 1024);
        return c;
    }

    /** READ(16) (SBC-4 §5.16). */
    public static byte[] read16(long lba, int blocks) {
        return rw16(0x88, lba, blocks);
    }

    /** WRITE(16) (SBC-4 §5.40). */
    public static byte[] write16(long lba, int blocks) {
        return rw16(0x8A, lba, blocks);
    }

    private static byte[] rw16(int op, long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) op;
        ByteBuffer.wrap(c).putLong(2, lba).putInt(10, blocks);
        return c;
    }

    /** COMPARE AND WRITE (SBC-4 §5.3) of {@code blocks} blocks; its Data-Out is verify data then write data. */
    public static byte[] compareAndWrite(long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        ByteBuffer.wrap(c).putLong(2, lba);
        c[13] = (byte) blocks;
        return c;
    }

    /** UNMAP (SBC-4 §5.30) with a parameter list of {@code descriptors} bytes. */
    public static byte[] unmap(int parameterLength) {
        return new byte[] {0x42, 0, 0, 0, 0, 0, 0, (byte) (parameterLength >>> 8), (byte) parameterLength, 0};
    }

    /** UNMAP parameter list (SBC-4 §5.30.2): header and one 16-byte descriptor per {lba, blocks} pair. */
    public static byte[] unmapList(long[][] ranges) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * ranges.length);
        b.putShort((short) (6 + 16 * ranges.length)).putShort((short) (16 * ranges.length)).putInt(0);
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt(0);
        }
        return b.array();
    }

    /** EXTENDED COPY(LID1) (SPC-4 §6.3) with a parameter list of {@code length} bytes. */
    public static byte[] extendedCopy(int length) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        ByteBuffer.wrap(c).putInt(10, length);
        return c;
    }

    /** RESERVE(6) (SPC-2 §7.21). */
    public static byte[] reserve6() {
        return new byte[] {0x16, 0, 0, 0, 0, 0};
    }

    /** RELEASE(6) (SPC-2 §7.17). */
    public static byte[] release6() {
        return new byte[] {0x17, 0, 0, 0, 0, 0};
    }
}

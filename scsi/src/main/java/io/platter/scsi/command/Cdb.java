package io.platter.scsi.command;

/** Big-endian field readers for CDBs and parameter lists (SPC-5 §4.2.1: multi-byte fields are big-endian). */
public final class Cdb {

    private Cdb() {
    }

    public static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    public static int u24(byte[] b, int at) {
        return u8(b, at) << 16 | u16(b, at + 1);
    }

    public static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    /** A 64-bit field; values past {@link Long#MAX_VALUE} come back negative. */
    public static long u64(byte[] b, int at) {
        return u32(b, at) << 32 | u32(b, at + 4);
    }

    /** Whether bit {@code bit} of byte {@code at} is set. */
    public static boolean bit(byte[] b, int at, int bit) {
        return (b[at] >> bit & 1) != 0;
    }

    /** The highest set bit of a non-zero byte value (for a field pointer's BIT POINTER). */
    public static int highestBit(int value) {
        return 31 - Integer.numberOfLeadingZeros(value & 0xff);
    }
}

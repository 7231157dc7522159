package io.platter.scsi.sense;

/**
 * The sense-key specific field pointer (SPC-5 §4.4.2.2, table 30): which byte (and optionally
 * which bit) of the CDB or of the parameter list was wrong.
 *
 * @param inCdb      C/D: true when the byte is in the CDB, false when in the parameter data
 * @param byteOffset the byte, 0..65535
 * @param bit        the highest wrong bit, 0..7, or -1 when no bit pointer is given (BPV=0)
 */
public record FieldPointer(boolean inCdb, int byteOffset, int bit) {

    public FieldPointer {
        if (byteOffset < 0 || byteOffset > 0xFFFF || bit < -1 || bit > 7) {
            throw new IllegalArgumentException("field pointer " + byteOffset + "/" + bit);
        }
    }

    public static FieldPointer cdb(int byteOffset) {
        return new FieldPointer(true, byteOffset, -1);
    }

    public static FieldPointer cdb(int byteOffset, int bit) {
        return new FieldPointer(true, byteOffset, bit);
    }

    public static FieldPointer parameter(int byteOffset) {
        return new FieldPointer(false, byteOffset, -1);
    }

    public static FieldPointer parameter(int byteOffset, int bit) {
        return new FieldPointer(false, byteOffset, bit);
    }

    /**
     * A PROGRESS INDICATION (SPC-5 §4.4.2.4.4) of {@code fraction}/65536 done: its sense-key specific
     * bytes have the layout of a field pointer with C/D and BPV clear (SKSV, reserved bits, then
     * the 16-bit value), so it travels as one.
     */
    public static FieldPointer progress(int fraction) {
        return new FieldPointer(false, Math.min(Math.max(fraction, 0), 0xFFFF), -1);
    }

    /** The three SENSE KEY SPECIFIC bytes with SKSV set. */
    public int encode() {
        int b0 = 0x80 | (inCdb ? 0x40 : 0) | (bit >= 0 ? 0x08 | bit : 0);
        return b0 << 16 | byteOffset;
    }
}

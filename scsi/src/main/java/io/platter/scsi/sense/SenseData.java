package io.platter.scsi.sense;

/**
 * Builds sense data bytes: fixed format (SPC-5 §4.4.3, response code 70h) or descriptor format
 * (SPC-5 §4.4.2, response code 72h, with information (§4.4.2.2) and sense key specific
 * (§4.4.2.4) descriptors).
 */
public final class SenseData {

    /** Length of fixed format sense data as built here (additional sense length 10). */
    public static final int FIXED_LENGTH = 18;

    private SenseData() {
    }

    /** Current-error sense data in the requested format. */
    public static byte[] build(Sense sense, FieldPointer pointer, Long information, boolean descriptor) {
        return descriptor ? descriptor(sense, pointer, information) : fixed(sense, pointer, information);
    }

    public static byte[] build(CheckConditionException e, boolean descriptor) {
        return build(e.sense(), e.fieldPointer(), e.information(), descriptor);
    }

    static byte[] fixed(Sense sense, FieldPointer pointer, Long information) {
        byte[] b = new byte[FIXED_LENGTH];
        b[0] = 0x70;
        if (information != null) {
            // The fixed INFORMATION field holds 4 bytes; VALID only when the value fits.
            long info = information;
            if (info >= 0 && info <= 0xFFFF_FFFFL) {
                b[0] |= (byte) 0x80;
                putInt(b, 3, (int) info);
            }
        }
        b[2] = (byte) sense.key().wire();
        b[7] = (byte) (FIXED_LENGTH - 8);
        b[12] = (byte) sense.asc();
        b[13] = (byte) sense.ascq();
        if (pointer != null) {
            putSks(b, 15, pointer);
        }
        return b;
    }

    static byte[] descriptor(Sense sense, FieldPointer pointer, Long information) {
        int length = 8 + (information != null ? 12 : 0) + (pointer != null ? 8 : 0);
        byte[] b = new byte[length];
        b[0] = 0x72;
        b[1] = (byte) sense.key().wire();
        b[2] = (byte) sense.asc();
        b[3] = (byte) sense.ascq();
        b[7] = (byte) (length - 8);
        int p = 8;
        if (information != null) {
            b[p] = 0x00;          // information descriptor
            b[p + 1] = 0x0A;
            b[p + 2] = (byte) 0x80; // VALID
            long info = information;
            putInt(b, p + 4, (int) (info >>> 32));
            putInt(b, p + 8, (int) info);
            p += 12;
        }
        if (pointer != null) {
            b[p] = 0x02;          // sense key specific descriptor
            b[p + 1] = 0x06;
            putSks(b, p + 4, pointer);
        }
        return b;
    }

    private static void putSks(byte[] b, int at, FieldPointer pointer) {
        int sks = pointer.encode();
        b[at] = (byte) (sks >>> 16);
        b[at + 1] = (byte) (sks >>> 8);
        b[at + 2] = (byte) sks;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

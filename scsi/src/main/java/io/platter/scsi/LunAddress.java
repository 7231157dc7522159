package io.platter.scsi;

/**
 * The 8-byte SAM LUN (SAM-5 §4.7) as a long, first byte most significant, with single level
 * addressing only (§4.7.7): peripheral device addressing (method 00b, bus 0) for LUNs below 256,
 * flat space addressing (method 01b) for 256 to 16383.
 */
public final class LunAddress {

    /** The highest LUN flat space addressing can carry. */
    public static final int MAX_LUN = 0x3FFF;
    /** What {@link #decode} returns for an address it does not support; no LUN is ever mapped there. */
    public static final int UNSUPPORTED = -1;

    private static final int PERIPHERAL = 0b00;
    private static final int FLAT_SPACE = 0b01;

    private LunAddress() {
    }

    public static long encode(int lun) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        long firstTwoBytes = lun < 256 ? lun : (long) FLAT_SPACE << 14 | lun;
        return firstTwoBytes << 48;
    }

    /**
     * The LUN for an address, or {@link #UNSUPPORTED} for any other addressing method, a
     * peripheral address on a bus other than 0, or non-zero second-level bytes. The transport
     * passes {@code UNSUPPORTED} on unchanged; it reaches no logical unit and so gets LOGICAL
     * UNIT NOT SUPPORTED.
     */
    public static int decode(long address) {
        if ((address & 0x0000_FFFF_FFFF_FFFFL) != 0) {
            return UNSUPPORTED;
        }
        int firstTwoBytes = (int) (address >>> 48);
        int method = firstTwoBytes >>> 14;
        if (method == FLAT_SPACE) {
            return firstTwoBytes & MAX_LUN;
        }
        if (method == PERIPHERAL && firstTwoBytes >>> 8 == 0) {
            return firstTwoBytes & 0xFF;
        }
        return UNSUPPORTED;
    }
}

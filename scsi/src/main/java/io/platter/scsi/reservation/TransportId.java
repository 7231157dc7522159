package io.platter.scsi.reservation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * iSCSI TransportIDs (SPC-5 §7.6.4.6): format 01b, the initiator port name
 * {@code <iSCSI name>,i,0x<ISID>}, NUL terminated and padded to a multiple of 4 bytes. The
 * core's initiator port names are exactly that string.
 */
public final class TransportId {

    static final int PROTOCOL_ISCSI = 0x5;
    static final int FORMAT_PORT = 0x40;
    private static final String SEPARATOR = ",i,0x";

    private TransportId() {
    }

    /** The TransportID of an initiator port. */
    public static byte[] encode(String initiatorPort) {
        byte[] name = initiatorPort.getBytes(StandardCharsets.UTF_8);
        int padded = (name.length + 1 + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(4 + padded);
        b.put((byte) (FORMAT_PORT | PROTOCOL_ISCSI));
        b.put((byte) 0);
        b.putShort((short) padded);
        b.put(name);
        return b.array();
    }

    /**
     * The initiator port a format 01b iSCSI TransportID at {@code at} names, or null when the
     * TransportID is not one (another protocol, format 00b without an ISID, malformed).
     */
    public static String decode(byte[] list, int at, int length) {
        if (length < 4 || at + length > list.length || (list[at] & 0xff) != (FORMAT_PORT | PROTOCOL_ISCSI)) {
            return null;
        }
        int additional = (list[at + 2] & 0xff) << 8 | list[at + 3] & 0xff;
        int end = Math.min(at + 4 + additional, at + length);
        int nul = at + 4;
        while (nul < end && list[nul] != 0) {
            nul++;
        }
        String port = new String(list, at + 4, nul - at - 4, StandardCharsets.UTF_8);
        int sep = port.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
        if (sep <= 0 || sep + SEPARATOR.length() == port.length()) {
            return null;
        }
        String isid = port.substring(sep + SEPARATOR.length()).toLowerCase(Locale.ROOT);
        if (!isid.matches("[0-9a-f]{1,12}")) {
            return null;
        }
        return port.substring(0, sep) + SEPARATOR + String.format("%12s", isid).replace(' ', '0');
    }
}

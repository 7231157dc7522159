package io.platter.scsi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The persistent identity of a logical unit, derived from one UUID so that every identifier the
 * initiator sees (VPD pages 80h and 83h, SPC-5 §7.7.6 and §7.7.19) is stable across restarts.
 *
 * @param uuid the unit's UUID, persisted with the volume
 */
public record LunIdentity(UUID uuid) {

    /** T10 vendor identification (SPC-5 §6.7.2): 8 ASCII bytes, space padded. */
    public static final String VENDOR = "PLATTER ";
    /** Product identification: 16 ASCII bytes, space padded. */
    public static final String PRODUCT = "VIRTUAL-DISK    ";
    /** Product revision level: 4 ASCII bytes. */
    public static final String REVISION = "0001";

    public LunIdentity {
        Objects.requireNonNull(uuid, "uuid");
    }

    /**
     * The 8-byte NAA designator, type 3 "locally assigned" (SPC-5 §7.7.6.6.4): NAA 3h in the top
     * nibble and 60 bits of the UUID. Both UUID halves are folded in (XOR) so that UUIDs that
     * differ only in their low half still get different designators.
     */
    public long naa() {
        long bits = uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
        return 0x3L << 60 | bits & 0x0FFF_FFFF_FFFF_FFFFL;
    }

    /** The unit serial number: the 32 lower-case hex digits of the UUID. */
    public String serialNumber() {
        return uuid.toString().replace("-", "");
    }

    public String vendor() {
        return VENDOR;
    }

    public String product() {
        return PRODUCT;
    }

    public String revision() {
        return REVISION;
    }

    /** ASCII bytes of a fixed identification field. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;
import java.util.List;

/** The supported VPD pages, in ascending page code order (SPC-5 §7.7.16 requires that order for page 00h). */
public final class VpdPages {

    /** Peripheral qualifier 000b, device type 00h: a direct access block device is connected. */
    static final int DIRECT_ACCESS_DEVICE = 0x00;

    private static final List<VpdPage> PAGES = List.of(
            new SupportedVpdPages(), new UnitSerialNumber(), new DeviceIdentification(), new ThirdPartyCopy(),
            new BlockLimits(), new BlockDeviceCharacteristics(), new LogicalBlockProvisioning());

    static {
        for (int i = 1; i < PAGES.size(); i++) {
            if (PAGES.get(i).pageCode() <= PAGES.get(i - 1).pageCode()) {
                throw new ExceptionInInitializerError("VPD pages duplicated or out of order at " + i);
            }
        }
    }

    private VpdPages() {
    }

    public static List<VpdPage> all() {
        return PAGES;
    }

    /** The page for a code, or null. */
    public static VpdPage find(int pageCode) {
        for (VpdPage p : PAGES) {
            if (p.pageCode() == pageCode) {
                return p;
            }
        }
        return null;
    }

    /** The whole page: the 4-byte header (SPC-5 §7.7.1, table 588) and its body. */
    public static byte[] build(VpdPage page, UnitContext unit) {
        byte[] body = page.body(unit);
        byte[] out = new byte[4 + body.length];
        out[0] = DIRECT_ACCESS_DEVICE;
        out[1] = (byte) page.pageCode();
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }
}

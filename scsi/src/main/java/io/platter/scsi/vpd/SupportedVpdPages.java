package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;
import java.util.List;

/** Supported VPD Pages page, 00h (SPC-5 §7.7.16). */
final class SupportedVpdPages implements VpdPage {

    @Override
    public int pageCode() {
        return 0x00;
    }

    @Override
    public byte[] body(UnitContext unit) {
        List<VpdPage> pages = VpdPages.all();
        byte[] b = new byte[pages.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) pages.get(i).pageCode();
        }
        return b;
    }
}

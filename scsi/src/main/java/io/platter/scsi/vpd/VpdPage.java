package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;

/** One vital product data page (SPC-5 §7.7.1): its page code and the bytes after its 4-byte header. */
public interface VpdPage {

    int pageCode();

    /** The page contents after the header (byte 4 onwards). */
    byte[] body(UnitContext unit);
}

package io.platter.scsi.vpd;

import io.platter.scsi.LunIdentity;
import io.platter.scsi.task.UnitContext;

/** Unit Serial Number page, 80h (SPC-5 §7.7.19): the 32 hex digits of the unit's UUID. */
final class UnitSerialNumber implements VpdPage {

    @Override
    public int pageCode() {
        return 0x80;
    }

    @Override
    public byte[] body(UnitContext unit) {
        return LunIdentity.ascii(unit.identity().serialNumber());
    }
}

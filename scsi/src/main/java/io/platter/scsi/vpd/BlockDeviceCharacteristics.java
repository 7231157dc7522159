package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;

/** Block Device Characteristics page, B1h (SBC-4 §6.6.2): a non-rotating medium. */
final class BlockDeviceCharacteristics implements VpdPage {

    private static final int PAGE_LENGTH = 0x3C;
    private static final int NON_ROTATING = 0x0001;

    @Override
    public int pageCode() {
        return 0xB1;
    }

    @Override
    public byte[] body(UnitContext unit) {
        byte[] b = new byte[PAGE_LENGTH];
        b[0] = (byte) (NON_ROTATING >>> 8); // MEDIUM ROTATION RATE, page bytes 4-5
        b[1] = (byte) NON_ROTATING;
        return b;
    }
}

package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;

/**
 * Block Device Characteristics page, B1h (SBC-4 §6.6.2): a non-rotating medium. WABEREQ is 01b: a
 * read of a block after SANITIZE BLOCK ERASE and before it is written ends GOOD (it reads zeros).
 */
final class BlockDeviceCharacteristics implements VpdPage {

    private static final int PAGE_LENGTH = 0x3C;
    private static final int NON_ROTATING = 0x0001;
    /** WABEREQ 01b in page byte 7 bits 7:6. */
    private static final int WABEREQ_READS_GOOD = 0x40;

    @Override
    public int pageCode() {
        return 0xB1;
    }

    @Override
    public byte[] body(UnitContext unit) {
        byte[] b = new byte[PAGE_LENGTH];
        b[0] = (byte) (NON_ROTATING >>> 8); // MEDIUM ROTATION RATE, page bytes 4-5
        b[1] = (byte) NON_ROTATING;
        b[7 - 4] = (byte) WABEREQ_READS_GOOD;
        return b;
    }
}

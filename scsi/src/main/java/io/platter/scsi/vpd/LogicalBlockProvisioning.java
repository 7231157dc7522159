package io.platter.scsi.vpd;

import io.platter.scsi.command.UnitContext;

/**
 * Logical Block Provisioning page, B2h (SBC-4 §6.6.6). LBPU/LBPWS/LBPWS10 stay 0 until UNMAP and
 * WRITE SAME exist; the provisioning type tells thin from fully provisioned devices.
 */
public final class LogicalBlockProvisioning implements VpdPage {

    /** THRESHOLD EXPONENT: a threshold set is 2^0 = one logical block. */
    public static final int THRESHOLD_EXPONENT = 0;
    static final int FULLY_PROVISIONED = 0b000;
    static final int THIN_PROVISIONED = 0b010;

    @Override
    public int pageCode() {
        return 0xB2;
    }

    @Override
    public byte[] body(UnitContext unit) {
        byte[] b = new byte[4];
        b[0] = (byte) THRESHOLD_EXPONENT;
        // page byte 6: MINIMUM PERCENTAGE (7:3) 0, PROVISIONING TYPE (2:0)
        b[2] = (byte) (unit.device().thin() ? THIN_PROVISIONED : FULLY_PROVISIONED);
        return b;
    }
}

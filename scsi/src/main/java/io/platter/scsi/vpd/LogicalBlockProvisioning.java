package io.platter.scsi.vpd;

import io.platter.scsi.task.UnitContext;

/**
 * Logical Block Provisioning page, B2h (SBC-4 §6.6.6). A thin unit serves UNMAP (LBPU) and WRITE
 * SAME (10)/(16) with UNMAP (LBPWS10, LBPWS); unmapped blocks read as zeros (LBPRZ 001b); anchored
 * blocks are not supported (ANC_SUP 0). A fully provisioned unit reports none of it.
 */
public final class LogicalBlockProvisioning implements VpdPage {

    /** THRESHOLD EXPONENT: a threshold set is 2^0 = one logical block. */
    public static final int THRESHOLD_EXPONENT = 0;
    static final int FULLY_PROVISIONED = 0b000;
    static final int THIN_PROVISIONED = 0b010;

    private static final int LBPU = 0x80;
    private static final int LBPWS = 0x40;
    private static final int LBPWS10 = 0x20;
    /** LBPRZ field (bits 4:2) 001b: unmapped blocks read as zeros. */
    private static final int LBPRZ_ZEROS = 0b001 << 2;

    @Override
    public int pageCode() {
        return 0xB2;
    }

    @Override
    public byte[] body(UnitContext unit) {
        byte[] b = new byte[4];
        b[0] = (byte) THRESHOLD_EXPONENT;
        boolean thin = unit.device().thin();
        b[1] = (byte) (thin ? LBPU | LBPWS | LBPWS10 | LBPRZ_ZEROS : 0);
        // page byte 6: MINIMUM PERCENTAGE (7:3) 0, PROVISIONING TYPE (2:0)
        b[2] = (byte) (thin ? THIN_PROVISIONED : FULLY_PROVISIONED);
        return b;
    }
}

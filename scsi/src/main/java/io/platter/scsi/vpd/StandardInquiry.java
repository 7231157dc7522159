package io.platter.scsi.vpd;

import io.platter.scsi.LunIdentity;
import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;

/** Standard INQUIRY data (SPC-5 §6.7.2, table 148), 96 bytes with version descriptors. */
public final class StandardInquiry {

    public static final int LENGTH = 96;
    /** Peripheral qualifier 011b, device type 1Fh: no logical unit at this LUN (SPC-5 §6.7.2). */
    static final int NOT_CONNECTED = 0x7F;
    /** VERSION: SPC-4. Claimed rather than SPC-5 (07h) because every initiator in scope knows it. */
    static final int VERSION_SPC4 = 0x06;
    static final int HISUP = 0x10;
    static final int RESPONSE_DATA_FORMAT = 0x02;
    static final int CMDQUE = 0x02;
    /** 3PC: the unit is a copy manager (EXTENDED COPY, SPC-4 §6.3). */
    static final int THIRD_PARTY_COPY = 0x08;
    /** TPGS 01b: implicit asymmetric logical unit access only (SPC-5 §5.16.2, REPORT TARGET PORT GROUPS). */
    static final int TPGS_IMPLICIT = 0x10;
    /** Version descriptors (SPC-5 §6.7.2): SAM-5, iSCSI, SPC-5, SPC-4, SBC-4, SBC-3 (initiators such as libiscsi look for the SBC-3 and SPC-4 codes). */
    static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0960, 0x05C0, 0x0460, 0x0600, 0x04C0};

    private StandardInquiry() {
    }

    /** @param unit the addressed unit, or null for a LUN that is not mapped */
    public static byte[] build(UnitContext unit) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put((byte) (unit == null ? NOT_CONNECTED : VpdPages.DIRECT_ACCESS_DEVICE));
        b.put((byte) 0);                       // RMB 0, LU_CONG 0
        b.put((byte) VERSION_SPC4);
        b.put((byte) (HISUP | RESPONSE_DATA_FORMAT));
        b.put((byte) (LENGTH - 5));            // ADDITIONAL LENGTH
        b.put((byte) (unit == null ? 0 : TPGS_IMPLICIT | THIRD_PARTY_COPY)); // SCCS, ACC, PROTECT 0
        b.put((byte) 0);                       // ENCSERV, MULTIP 0
        b.put((byte) CMDQUE);
        b.put(LunIdentity.ascii(LunIdentity.VENDOR));
        b.put(LunIdentity.ascii(LunIdentity.PRODUCT));
        b.put(LunIdentity.ascii(LunIdentity.REVISION));
        b.position(58);
        for (int d : VERSION_DESCRIPTORS) {
            b.putShort((short) d);
        }
        return b.array();
    }
}

package io.platter.scsi.vpd;

import io.platter.scsi.LunIdentity;
import io.platter.scsi.TargetPort;
import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;

/**
 * Device Identification page, 83h (SPC-5 §7.7.6): two designators associated with the logical
 * unit, an NAA locally assigned one (§7.7.6.6) and a T10 vendor ID based one (§7.7.6.4), and
 * two associated with the target port, its relative target port (§7.7.6.7) and target port
 * group (§7.7.6.8), which ALUA initiators match against REPORT TARGET PORT GROUPS.
 */
final class DeviceIdentification implements VpdPage {

    private static final int CODE_SET_BINARY = 0x1;
    private static final int CODE_SET_ASCII = 0x2;
    private static final int ASSOCIATION_LOGICAL_UNIT = 0x00;
    private static final int TYPE_T10_VENDOR_ID = 0x1;
    private static final int TYPE_NAA = 0x3;
    private static final int ASSOCIATION_TARGET_PORT = 0x10;
    private static final int TYPE_RELATIVE_TARGET_PORT = 0x4;
    private static final int TYPE_TARGET_PORT_GROUP = 0x5;

    @Override
    public int pageCode() {
        return 0x83;
    }

    @Override
    public byte[] body(UnitContext unit) {
        LunIdentity id = unit.identity();
        byte[] t10 = LunIdentity.ascii(id.vendor() + id.serialNumber());
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + t10.length + 8 + 8);
        designatorHeader(b, CODE_SET_BINARY, ASSOCIATION_LOGICAL_UNIT | TYPE_NAA, 8);
        b.putLong(id.naa());
        designatorHeader(b, CODE_SET_ASCII, ASSOCIATION_LOGICAL_UNIT | TYPE_T10_VENDOR_ID, t10.length);
        b.put(t10);
        designatorHeader(b, CODE_SET_BINARY, ASSOCIATION_TARGET_PORT | TYPE_RELATIVE_TARGET_PORT, 4);
        b.putShort((short) 0);
        b.putShort((short) TargetPort.RELATIVE_TARGET_PORT);
        designatorHeader(b, CODE_SET_BINARY, ASSOCIATION_TARGET_PORT | TYPE_TARGET_PORT_GROUP, 4);
        b.putShort((short) 0);
        b.putShort((short) TargetPort.TARGET_PORT_GROUP);
        return b.array();
    }

    /** Designation descriptor header (SPC-5 §7.7.6.1, table 602); protocol identifier 0, PIV 0. */
    private static void designatorHeader(ByteBuffer b, int codeSet, int associationAndType, int length) {
        b.put((byte) codeSet);
        b.put((byte) associationAndType);
        b.put((byte) 0);
        b.put((byte) length);
    }
}

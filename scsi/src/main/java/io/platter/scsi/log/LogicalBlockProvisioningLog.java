package io.platter.scsi.log;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.UnitContext;
import io.platter.scsi.vpd.LogicalBlockProvisioning;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Logical Block Provisioning log page, 0Ch (SBC-4 §6.4.5): AVAILABLE LBA MAPPING RESOURCE COUNT
 * (0001h) and USED LBA MAPPING RESOURCE COUNT (0002h), in threshold sets of 2^THRESHOLD EXPONENT
 * blocks (the exponent of the Logical Block Provisioning VPD page). Used is what the device has
 * allocated (at most its size); available is the rest of its size. The pool's free space bounds
 * the available count further but the device cannot see it, so SCOPE is 00b (not reported).
 */
final class LogicalBlockProvisioningLog implements LogPage {

    static final int AVAILABLE = 0x0001;
    static final int USED = 0x0002;
    /** Parameter control byte: TSD (no implicit saving), FORMAT AND LINKING 11b (binary). */
    static final int CONTROL = 0x20 | 0x03;
    private static final int PARAMETER_LENGTH = 8;

    @Override
    public int pageCode() {
        return 0x0C;
    }

    @Override
    public byte[] body(UnitContext unit, int parameterPointer) throws CheckConditionException {
        if (parameterPointer > USED) {
            throw CheckConditionException.invalidCdbField(LogPages.PARAMETER_POINTER_BYTE);
        }
        long size = unit.device().size();
        long used = Math.min(Math.max(unit.device().allocatedBytes(), 0), size);
        long setBytes = (long) unit.blockSize() << LogicalBlockProvisioning.THRESHOLD_EXPONENT;
        ByteBuffer b = ByteBuffer.allocate(2 * (4 + PARAMETER_LENGTH));
        if (parameterPointer <= AVAILABLE) {
            parameter(b, AVAILABLE, (size - used) / setBytes);
        }
        parameter(b, USED, (used + setBytes - 1) / setBytes);
        return Arrays.copyOf(b.array(), b.position());
    }

    /** A resource count log parameter (SBC-4 §6.4.5.2): the count saturates at 32 bits. */
    private static void parameter(ByteBuffer b, int code, long count) {
        b.putShort((short) code);
        b.put((byte) CONTROL);
        b.put((byte) PARAMETER_LENGTH);
        b.putInt((int) Math.min(count, 0xFFFF_FFFFL));
        b.put((byte) 0);   // SCOPE 00b
        b.put(new byte[3]);
    }
}

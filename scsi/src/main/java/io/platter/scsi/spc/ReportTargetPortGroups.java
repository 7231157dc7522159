package io.platter.scsi.spc;

import io.platter.scsi.TargetPort;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import java.nio.ByteBuffer;

/**
 * REPORT TARGET PORT GROUPS (SPC-5 §6.36, MAINTENANCE IN A3h/0Ah): one target port group with
 * the one target port, active/optimized, implicit ALUA only (TPGS=01b in INQUIRY). PARAMETER
 * DATA FORMAT 000b (length only) or 001b (extended header).
 */
final class ReportTargetPortGroups implements CommandHandler {

    private static final int ACTIVE_OPTIMIZED = 0x0;
    /** Byte 1: AO_SUP only, the one state this target port group ever is in. */
    private static final int SUPPORTED_STATES = 0x01;
    private static final int EXTENDED = 1;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        int format = Cdb.u8(cdb, 1) >>> 5;
        if (format > EXTENDED) {
            throw CheckConditionException.invalidCdbField(1, 7);
        }
        int header = format == EXTENDED ? 8 : 4;
        ByteBuffer b = ByteBuffer.allocate(header + 8 + 4);
        b.putInt(b.capacity() - 4);            // RETURN DATA LENGTH: every byte after this field
        if (format == EXTENDED) {
            b.put((byte) 0x10);                // FORMAT TYPE 001b
            b.put((byte) 0);                   // IMPLICIT TRANSITION TIME: none ever happen
            b.putShort((short) 0);
        }
        b.put((byte) (0x80 | ACTIVE_OPTIMIZED));   // PREF=1
        b.put((byte) SUPPORTED_STATES);
        b.putShort((short) TargetPort.TARGET_PORT_GROUP);
        b.put((byte) 0);
        b.put((byte) 0);                       // STATUS CODE: no status available
        b.put((byte) 0);
        b.put((byte) 1);                       // TARGET PORT COUNT
        b.putShort((short) 0);
        b.putShort((short) TargetPort.RELATIVE_TARGET_PORT);
        return Plan.reply(b.array(), Cdb.u32(cdb, 6));
    }
}

package io.platter.scsi.spc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-5 §6.34, MAINTENANCE IN A3h/0Ch), generated from the
 * opcode table. REPORTING OPTIONS 000b lists every row (all_commands format, §6.34.2); 001b, 010b
 * and 011b describe one command (one_command format, §6.34.3) with SUPPORT 011b and its usage
 * mask as CDB USAGE DATA, or SUPPORT 001b and no usage data. RCTD adds a command timeouts
 * descriptor (§6.34.4) to each. 001b for an opcode with service actions, and 010b for one
 * without, are INVALID FIELD IN CDB, as are the reserved reporting options.
 */
final class ReportSupportedOperationCodes implements CommandHandler {

    private static final int OPTIONS_BYTE = 2;
    private static final int RCTD_BIT = 7;
    private static final int REQUESTED_OPCODE = 3;
    private static final int REQUESTED_SERVICE_ACTION = 4;
    private static final int ALLOCATION_LENGTH = 6;

    private static final int ALL = 0b000;
    private static final int OPCODE = 0b001;
    private static final int OPCODE_AND_SERVICE_ACTION = 0b010;
    private static final int OPCODE_MAYBE_SERVICE_ACTION = 0b011;

    private static final int SUPPORTED = 0b011;
    private static final int NOT_SUPPORTED = 0b001;
    private static final int SERVACTV = 0x01;
    private static final int CTDP = 0x02;
    private static final int CTDP_ONE_COMMAND = 0x80;

    static final int DESCRIPTOR_LENGTH = 8;
    static final int TIMEOUTS_LENGTH = 12;
    /** RECOMMENDED COMMAND TIMEOUT in seconds; NOMINAL COMMAND PROCESSING TIMEOUT is 0 (not specified). */
    static final int RECOMMENDED_TIMEOUT_SECONDS = 30;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        boolean rctd = Cdb.bit(cdb, OPTIONS_BYTE, RCTD_BIT);
        int options = Cdb.u8(cdb, OPTIONS_BYTE) & 0b111;
        int opcode = Cdb.u8(cdb, REQUESTED_OPCODE);
        int serviceAction = Cdb.u16(cdb, REQUESTED_SERVICE_ACTION);
        byte[] data = switch (options) {
            case ALL -> allCommands(CommandTable.rows(), rctd);
            case OPCODE -> {
                if (CommandTable.hasServiceActions(opcode)) {
                    throw CheckConditionException.invalidCdbField(REQUESTED_OPCODE);
                }
                yield oneCommand(CommandTable.find(opcode, 0), rctd);
            }
            case OPCODE_AND_SERVICE_ACTION -> {
                if (CommandTable.find(opcode, 0) != null && !CommandTable.hasServiceActions(opcode)) {
                    throw CheckConditionException.invalidCdbField(REQUESTED_OPCODE);
                }
                yield oneCommand(findServiceAction(opcode, serviceAction), rctd);
            }
            case OPCODE_MAYBE_SERVICE_ACTION -> oneCommand(CommandTable.hasServiceActions(opcode)
                    ? findServiceAction(opcode, serviceAction) : CommandTable.find(opcode, 0), rctd);
            default -> throw CheckConditionException.invalidCdbField(OPTIONS_BYTE, 2);
        };
        return Plan.reply(data, Cdb.u32(cdb, ALLOCATION_LENGTH));
    }

    /** Service actions are 5 bits wide in every supported CDB; wider values are not supported. */
    private static CommandSpec findServiceAction(int opcode, int serviceAction) {
        return serviceAction > 0x1F ? null : CommandTable.find(opcode, serviceAction);
    }

    /** The all_commands parameter data (SPC-5 §6.34.2) for {@code rows}. */
    static byte[] allCommands(List<CommandSpec> rows, boolean rctd) {
        int each = DESCRIPTOR_LENGTH + (rctd ? TIMEOUTS_LENGTH : 0);
        ByteBuffer b = ByteBuffer.allocate(4 + each * rows.size());
        b.putInt(each * rows.size());
        for (CommandSpec spec : rows) {
            b.put((byte) spec.opcode());
            b.put((byte) 0);
            b.putShort((short) Math.max(spec.serviceAction(), 0));
            b.put((byte) 0);
            b.put((byte) ((rctd ? CTDP : 0) | (spec.hasServiceAction() ? SERVACTV : 0)));
            b.putShort((short) spec.cdbLength());
            if (rctd) {
                timeouts(b);
            }
        }
        return b.array();
    }

    /** The one_command parameter data (SPC-5 §6.34.3); {@code spec} null when not supported. */
    static byte[] oneCommand(CommandSpec spec, boolean rctd) {
        int usageLength = spec == null ? 0 : spec.cdbLength();
        ByteBuffer b = ByteBuffer.allocate(4 + usageLength + (rctd ? TIMEOUTS_LENGTH : 0));
        b.put((byte) 0);
        b.put((byte) ((rctd ? CTDP_ONE_COMMAND : 0) | (spec == null ? NOT_SUPPORTED : SUPPORTED)));
        b.putShort((short) usageLength);
        if (spec != null) {
            b.put(usageData(spec));
        }
        if (rctd) {
            timeouts(b);
        }
        return b.array();
    }

    /**
     * CDB USAGE DATA: the usage mask, except that the SERVICE ACTION field holds the service
     * action itself (SPC-5 §6.34.3), so an initiator can build the CDB from it.
     */
    static byte[] usageData(CommandSpec spec) {
        byte[] usage = new byte[spec.cdbLength()];
        for (int i = 0; i < usage.length; i++) {
            usage[i] = (byte) spec.usageMask(i);
        }
        usage[0] = (byte) spec.opcode();
        if (spec.hasServiceAction()) {
            usage[1] = (byte) (spec.usageMask(1) & ~CommandTable.SERVICE_ACTION_BITS | spec.serviceAction());
        }
        return usage;
    }

    /** Command timeouts descriptor (SPC-5 §6.34.4): DESCRIPTOR LENGTH 0Ah, no command specific data. */
    private static void timeouts(ByteBuffer b) {
        b.putShort((short) (TIMEOUTS_LENGTH - 2));
        b.put((byte) 0);
        b.put((byte) 0);
        b.putInt(0);
        b.putInt(RECOMMENDED_TIMEOUT_SECONDS);
    }
}

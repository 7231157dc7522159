package io.platter.scsi.command;

import io.platter.scsi.copy.CopyCommands;
import io.platter.scsi.sbc.SbcCommands;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.spc.SpcCommands;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The opcode table: every supported command with its CDB usage mask, gathered from the rows of
 * each standard ({@link SpcCommands}, {@link SbcCommands}, {@link CopyCommands}). The masks list,
 * byte by byte, the bits each command may set; the control byte (SAM-5 §5.2) allows only its
 * vendor-specific bits, since NACA and linking are not supported. Checks itself for duplicate rows
 * at class initialisation.
 */
public final class CommandTable {

    /** Control byte: vendor-specific bits 7:6 only. */
    static final int CONTROL = CommandSpec.CONTROL;
    /** The SERVICE ACTION field of every supported service-action CDB: byte 1 bits 4:0. */
    public static final int SERVICE_ACTION_BITS = 0x1F;

    /** Every row, ordered by operation code and service action. */
    private static final List<CommandSpec> ROWS = Stream.of(SpcCommands.rows(), SbcCommands.rows(), CopyCommands.rows())
            .flatMap(List::stream)
            .sorted(Comparator.comparingInt(CommandSpec::opcode).thenComparingInt(CommandSpec::serviceAction))
            .toList();

    private static final CommandSpec[] BY_OPCODE = new CommandSpec[256];
    private static final boolean[] HAS_SERVICE_ACTIONS = new boolean[256];
    private static final Map<Integer, CommandSpec> BY_SERVICE_ACTION = new HashMap<>();

    static {
        for (CommandSpec spec : ROWS) {
            int op = spec.opcode();
            if (spec.serviceAction() < 0) {
                if (BY_OPCODE[op] != null || HAS_SERVICE_ACTIONS[op]) {
                    throw new ExceptionInInitializerError("duplicate opcode " + spec.name());
                }
                BY_OPCODE[op] = spec;
            } else {
                if (BY_OPCODE[op] != null
                        || BY_SERVICE_ACTION.put(op << 8 | spec.serviceAction(), spec) != null) {
                    throw new ExceptionInInitializerError("duplicate opcode/service action " + spec.name());
                }
                HAS_SERVICE_ACTIONS[op] = true;
            }
        }
    }

    private CommandTable() {
    }

    /** Whether the opcode has service actions in this table (SPC-5 §4.2.5.2). */
    public static boolean hasServiceActions(int opcode) {
        return HAS_SERVICE_ACTIONS[opcode & 0xff];
    }

    /** All rows, in opcode order. */
    public static List<CommandSpec> rows() {
        return ROWS;
    }

    /** The row for an opcode and (for opcodes with service actions) service action, or null. */
    public static CommandSpec find(int opcode, int serviceAction) {
        if (HAS_SERVICE_ACTIONS[opcode]) {
            return BY_SERVICE_ACTION.get(opcode << 8 | serviceAction);
        }
        return BY_OPCODE[opcode];
    }

    /**
     * The row for a CDB, after the checks every command gets: a LUN that is not mapped serves
     * only INQUIRY, REQUEST SENSE and REPORT LUNS (SPC-5 §4.4.3 / SAM-5 §5.11); unknown opcodes
     * (SPC-5 §4.2.5.1) and service actions (§4.2.5.2); CDB length and usage mask.
     */
    public static CommandSpec resolve(byte[] cdb, boolean mapped) throws CheckConditionException {
        int opcode = cdb.length > 0 ? cdb[0] & 0xff : -1;
        CommandSpec spec = opcode < 0 ? null : find(opcode, cdb.length > 1 ? cdb[1] & SERVICE_ACTION_BITS : 0);
        if (!mapped && (spec == null || !spec.unmappedLun())) {
            throw new CheckConditionException(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
        }
        if (spec == null) {
            if (opcode >= 0 && HAS_SERVICE_ACTIONS[opcode]) {
                throw CheckConditionException.invalidCdbField(1, 4);
            }
            throw new CheckConditionException(Sense.INVALID_COMMAND_OPERATION_CODE);
        }
        spec.check(cdb);
        return spec;
    }
}

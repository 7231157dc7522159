package io.platter.scsi.command;

import static io.platter.scsi.command.DataDirection.IN;
import static io.platter.scsi.command.DataDirection.NONE;
import static io.platter.scsi.command.DataDirection.OUT;

import static io.platter.scsi.reservation.ReservationAccess.ALLOWED;
import static io.platter.scsi.reservation.ReservationAccess.PERSISTENT;
import static io.platter.scsi.reservation.ReservationAccess.READ;
import static io.platter.scsi.reservation.ReservationAccess.STATUS;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The opcode table: every supported command (SPC-5 §6, SBC-4 §5) with its CDB usage mask. The
 * masks list, byte by byte, the bits each command may set; the control byte (SAM-5 §5.2) allows
 * only its vendor-specific bits, since NACA and linking are not supported. Checks itself for
 * duplicate rows at class initialisation.
 */
public final class CommandTable {

    /** Control byte: vendor-specific bits 7:6 only. */
    static final int CONTROL = 0xC0;
    /** The SERVICE ACTION field of every supported service-action CDB: byte 1 bits 4:0. */
    static final int SERVICE_ACTION_BITS = 0x1F;

    private static final List<CommandSpec> ROWS = List.of(
            row("TEST UNIT READY", 0x00, NONE, false, new TestUnitReady(), 0, 0, 0, 0).withReservationAccess(STATUS),
            row("REQUEST SENSE", 0x03, IN, true, new RequestSense(), 0x01, 0, 0, 0xFF).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            row("READ(6)", 0x08, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.SIX),
                    0x1F, 0xFF, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            row("WRITE(6)", 0x0A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.SIX),
                    0x1F, 0xFF, 0xFF, 0xFF).writing(),
            row("INQUIRY", 0x12, IN, true, new Inquiry(), 0x01, 0xFF, 0xFF, 0xFF).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            row("MODE SELECT(6)", 0x15, OUT, false, new ModeSelect(false), 0x11, 0, 0, 0xFF),
            row("RESERVE(6)", 0x16, NONE, false, new Reserve(), 0, 0, 0, 0),
            row("RELEASE(6)", 0x17, NONE, false, new Release(), 0, 0, 0, 0).withReservationAccess(ALLOWED),
            row("MODE SENSE(6)", 0x1A, IN, false, new ModeSense(false), 0x08, 0xFF, 0xFF, 0xFF),
            row("START STOP UNIT", 0x1B, NONE, false, new StartStopUnit(), 0x01, 0, 0x0F, 0xF7),
            row("PREVENT ALLOW MEDIUM REMOVAL", 0x1E, NONE, false, new PreventAllowMediumRemoval(),
                    0, 0, 0, 0x03),
            row("READ CAPACITY(10)", 0x25, IN, false, new ReadCapacity(false),
                    0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x01).withReservationAccess(STATUS),
            row("READ(10)", 0x28, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.TEN),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            row("WRITE(10)", 0x2A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.TEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            row("WRITE AND VERIFY(10)", 0x2E, OUT, false, new WriteAndVerify(LbaField.TEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            row("VERIFY(10)", 0x2F, OUT, false, new Verify(LbaField.TEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            row("PRE-FETCH(10)", 0x34, NONE, false, new PreFetch(LbaField.TEN),
                    0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ),
            row("SYNCHRONIZE CACHE(10)", 0x35, NONE, false, new SynchronizeCache(LbaField.TEN),
                    0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF),
            row("LOG SENSE", 0x4D, IN, false, new LogSense(), 0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0xFF)
                    .withReservationAccess(ALLOWED),
            row("WRITE SAME(10)", 0x41, OUT, false, new WriteSame(LbaField.TEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            row("UNMAP", 0x42, OUT, false, new Unmap(), 0x01, 0, 0, 0, 0, 0x1F, 0xFF, 0xFF).writing(),
            row("MODE SELECT(10)", 0x55, OUT, false, new ModeSelect(true),
                    0x11, 0, 0, 0, 0, 0, 0xFF, 0xFF),
            row("RESERVE(10)", 0x56, OUT, false, new Reserve(), 0, 0, 0, 0, 0, 0, 0xFF, 0xFF),
            row("RELEASE(10)", 0x57, OUT, false, new Release(), 0, 0, 0, 0, 0, 0, 0xFF, 0xFF)
                    .withReservationAccess(ALLOWED),
            row("MODE SENSE(10)", 0x5A, IN, false, new ModeSense(true),
                    0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF),
            serviceAction("EXTENDED COPY(LID1)", 0x83, 0x00, OUT, false, new ExtendedCopy(),
                    0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),   // each copy target by its own rules (CopyJob)
            serviceAction("RECEIVE COPY RESULTS: COPY STATUS", 0x84, 0x00, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.COPY_STATUS),
                    0x1F, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            serviceAction("RECEIVE COPY RESULTS: OPERATING PARAMETERS", 0x84, 0x03, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.OPERATING_PARAMETERS),
                    0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            serviceAction("RECEIVE COPY RESULTS: FAILED SEGMENT DETAILS", 0x84, 0x04, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.FAILED_SEGMENT_DETAILS),
                    0x1F, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            persistentReserveIn(PersistentReserveIn.ServiceAction.READ_KEYS),
            persistentReserveIn(PersistentReserveIn.ServiceAction.READ_RESERVATION),
            persistentReserveIn(PersistentReserveIn.ServiceAction.REPORT_CAPABILITIES),
            persistentReserveIn(PersistentReserveIn.ServiceAction.READ_FULL_STATUS),
            persistentReserveOut(PersistentReserveOut.ServiceAction.REGISTER),
            persistentReserveOut(PersistentReserveOut.ServiceAction.RESERVE),
            persistentReserveOut(PersistentReserveOut.ServiceAction.RELEASE),
            persistentReserveOut(PersistentReserveOut.ServiceAction.CLEAR),
            persistentReserveOut(PersistentReserveOut.ServiceAction.PREEMPT),
            persistentReserveOut(PersistentReserveOut.ServiceAction.PREEMPT_AND_ABORT),
            persistentReserveOut(PersistentReserveOut.ServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY),
            persistentReserveOut(PersistentReserveOut.ServiceAction.REGISTER_AND_MOVE),
            row("READ(16)", 0x88, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.SIXTEEN),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ).reading(),
            row("COMPARE AND WRITE", 0x89, OUT, false, new CompareAndWrite(),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0x1F).writing(),
            row("WRITE(16)", 0x8A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.SIXTEEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            row("WRITE AND VERIFY(16)", 0x8E, OUT, false, new WriteAndVerify(LbaField.SIXTEEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            row("VERIFY(16)", 0x8F, OUT, false, new Verify(LbaField.SIXTEEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ).reading(),
            row("PRE-FETCH(16)", 0x90, NONE, false, new PreFetch(LbaField.SIXTEEN),
                    0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ),
            row("SYNCHRONIZE CACHE(16)", 0x91, NONE, false, new SynchronizeCache(LbaField.SIXTEEN),
                    0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F),
            row("WRITE SAME(16)", 0x93, OUT, false, new WriteSame(LbaField.SIXTEEN),
                    0x19, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            serviceAction("READ CAPACITY(16)", 0x9E, 0x10, IN, false, new ReadCapacity(true),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01).withReservationAccess(STATUS),
            serviceAction("GET LBA STATUS", 0x9E, 0x12, IN, false, new GetLbaStatus(),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
                    .withReservationAccess(READ),
            row("REPORT LUNS", 0xA0, IN, true, new ReportLuns(),
                    0, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            serviceAction("REPORT TARGET PORT GROUPS", 0xA3, 0x0A, IN, false, new ReportTargetPortGroups(),
                    0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0).withReservationAccess(ALLOWED),
            serviceAction("REPORT SUPPORTED OPERATION CODES", 0xA3, 0x0C, IN, false,
                    new ReportSupportedOperationCodes(), 0x1F, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0)
                    .withReservationAccess(ALLOWED),
            serviceAction("REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", 0xA3, 0x0D, IN, false,
                    new ReportSupportedTaskManagementFunctions(), 0x1F, 0x80, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0)
                    .withReservationAccess(ALLOWED),
            row("READ(12)", 0xA8, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.TWELVE),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).withReservationAccess(READ).reading(),
            row("WRITE(12)", 0xAA, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.TWELVE),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            row("WRITE AND VERIFY(12)", 0xAE, OUT, false, new WriteAndVerify(LbaField.TWELVE),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            row("VERIFY(12)", 0xAF, OUT, false, new Verify(LbaField.TWELVE),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).withReservationAccess(READ).reading());

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
    static CommandSpec resolve(byte[] cdb, boolean mapped) throws CheckConditionException {
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

    /** PERSISTENT RESERVE IN (5Eh, SPC-5 §6.15): one row per service action. */
    private static CommandSpec persistentReserveIn(PersistentReserveIn.ServiceAction action) {
        return serviceAction("PERSISTENT RESERVE IN/" + action, 0x5E, action.ordinal(), IN, false,
                new PersistentReserveIn(action), 0x1F, 0, 0, 0, 0, 0, 0xFF, 0xFF).withReservationAccess(PERSISTENT);
    }

    /** PERSISTENT RESERVE OUT (5Fh, SPC-5 §6.16): one row per service action. */
    private static CommandSpec persistentReserveOut(PersistentReserveOut.ServiceAction action) {
        return serviceAction("PERSISTENT RESERVE OUT/" + action, 0x5F, action.ordinal(), OUT, false,
                new PersistentReserveOut(action), 0x1F, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
                .withReservationAccess(PERSISTENT);
    }

    /** A row whose usage mask is given for bytes 1 to n-2; byte 0 and the control byte are added. */
    private static CommandSpec row(String name, int opcode, DataDirection direction, boolean unmappedLun,
                                   CommandHandler handler, int... middle) {
        return serviceAction(name, opcode, -1, direction, unmappedLun, handler, middle);
    }

    private static CommandSpec serviceAction(String name, int opcode, int serviceAction,
                                             DataDirection direction, boolean unmappedLun,
                                             CommandHandler handler, int... middle) {
        int[] mask = new int[middle.length + 2];
        mask[0] = 0xFF;
        System.arraycopy(middle, 0, mask, 1, middle.length);
        mask[mask.length - 1] = CONTROL;
        return new CommandSpec(name, opcode, serviceAction, mask.length, mask, direction, unmappedLun, handler);
    }
}

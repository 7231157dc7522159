package io.platter.scsi.spc;

import static io.platter.scsi.command.DataDirection.IN;
import static io.platter.scsi.command.DataDirection.NONE;
import static io.platter.scsi.command.DataDirection.OUT;
import static io.platter.scsi.reservation.ReservationAccess.ALLOWED;
import static io.platter.scsi.reservation.ReservationAccess.PERSISTENT;
import static io.platter.scsi.reservation.ReservationAccess.STATUS;

import io.platter.scsi.command.CommandSpec;
import java.util.List;

/** The SPC-5 commands of the opcode table (SPC-5 §6, and the SPC-2 RESERVE/RELEASE of §7.21-§7.22 of SPC-2). */
public final class SpcCommands {

    private static final List<CommandSpec> ROWS = List.of(
            CommandSpec.row("TEST UNIT READY", 0x00, NONE, false, new TestUnitReady(), 0, 0, 0, 0).withReservationAccess(STATUS)
                    .needingMedium(),
            CommandSpec.row("REQUEST SENSE", 0x03, IN, true, new RequestSense(), 0x01, 0, 0, 0xFF).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            CommandSpec.row("INQUIRY", 0x12, IN, true, new Inquiry(), 0x01, 0xFF, 0xFF, 0xFF).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            CommandSpec.row("MODE SELECT(6)", 0x15, OUT, false, new ModeSelect(false), 0x11, 0, 0, 0xFF),
            CommandSpec.row("RESERVE(6)", 0x16, NONE, false, new Reserve(), 0, 0, 0, 0),
            CommandSpec.row("RELEASE(6)", 0x17, NONE, false, new Release(), 0, 0, 0, 0).withReservationAccess(ALLOWED),
            CommandSpec.row("MODE SENSE(6)", 0x1A, IN, false, new ModeSense(false), 0x08, 0xFF, 0xFF, 0xFF),
            CommandSpec.row("LOG SENSE", 0x4D, IN, false, new LogSense(), 0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0xFF)
                    .withReservationAccess(ALLOWED),
            CommandSpec.row("MODE SELECT(10)", 0x55, OUT, false, new ModeSelect(true),
                    0x11, 0, 0, 0, 0, 0, 0xFF, 0xFF),
            CommandSpec.row("RESERVE(10)", 0x56, OUT, false, new Reserve(), 0, 0, 0, 0, 0, 0, 0xFF, 0xFF),
            CommandSpec.row("RELEASE(10)", 0x57, OUT, false, new Release(), 0, 0, 0, 0, 0, 0, 0xFF, 0xFF)
                    .withReservationAccess(ALLOWED),
            CommandSpec.row("MODE SENSE(10)", 0x5A, IN, false, new ModeSense(true),
                    0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF),
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
            CommandSpec.row("REPORT LUNS", 0xA0, IN, true, new ReportLuns(),
                    0, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0).withReservationAccess(ALLOWED)
                    .allowingUnitAttention(),
            CommandSpec.serviceAction("REPORT TARGET PORT GROUPS", 0xA3, 0x0A, IN, false, new ReportTargetPortGroups(),
                    0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0).withReservationAccess(ALLOWED),
            CommandSpec.serviceAction("REPORT SUPPORTED OPERATION CODES", 0xA3, 0x0C, IN, false,
                    new ReportSupportedOperationCodes(), 0x1F, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0)
                    .withReservationAccess(ALLOWED),
            CommandSpec.serviceAction("REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", 0xA3, 0x0D, IN, false,
                    new ReportSupportedTaskManagementFunctions(), 0x1F, 0x80, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0)
                    .withReservationAccess(ALLOWED));

    private SpcCommands() {
    }

    /** This standard's rows of the opcode table. */
    public static List<CommandSpec> rows() {
        return ROWS;
    }

    /** PERSISTENT RESERVE IN (5Eh, SPC-5 §6.15): one row per service action. */
    private static CommandSpec persistentReserveIn(PersistentReserveIn.ServiceAction action) {
        return CommandSpec.serviceAction("PERSISTENT RESERVE IN/" + action, 0x5E, action.ordinal(), IN, false,
                new PersistentReserveIn(action), 0x1F, 0, 0, 0, 0, 0, 0xFF, 0xFF).withReservationAccess(PERSISTENT);
    }

    /** PERSISTENT RESERVE OUT (5Fh, SPC-5 §6.16): one row per service action. */
    private static CommandSpec persistentReserveOut(PersistentReserveOut.ServiceAction action) {
        return CommandSpec.serviceAction("PERSISTENT RESERVE OUT/" + action, 0x5F, action.ordinal(), OUT, false,
                new PersistentReserveOut(action), 0x1F, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
                .withReservationAccess(PERSISTENT);
    }
}

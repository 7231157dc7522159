package io.platter.scsi.sbc;

import static io.platter.scsi.command.DataDirection.IN;
import static io.platter.scsi.command.DataDirection.NONE;
import static io.platter.scsi.command.DataDirection.OUT;
import static io.platter.scsi.reservation.ReservationAccess.READ;
import static io.platter.scsi.reservation.ReservationAccess.STATUS;

import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.LbaField;
import java.util.List;

/** The SBC-4 commands of the opcode table (SBC-4 §5). */
public final class SbcCommands {

    private static final List<CommandSpec> ROWS = List.of(
            CommandSpec.row("READ(6)", 0x08, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.SIX),
                    0x1F, 0xFF, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            CommandSpec.row("WRITE(6)", 0x0A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.SIX),
                    0x1F, 0xFF, 0xFF, 0xFF).writing(),
            CommandSpec.row("START STOP UNIT", 0x1B, NONE, false, new StartStopUnit(), 0x01, 0, 0x0F, 0xF7)
                    .needingMedium(),
            CommandSpec.row("PREVENT ALLOW MEDIUM REMOVAL", 0x1E, NONE, false, new PreventAllowMediumRemoval(),
                    0, 0, 0, 0x03),
            CommandSpec.row("READ CAPACITY(10)", 0x25, IN, false, new ReadCapacity(false),
                    0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x01).withReservationAccess(STATUS).needingMedium(),
            CommandSpec.row("READ(10)", 0x28, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.TEN),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            CommandSpec.row("WRITE(10)", 0x2A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.TEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            CommandSpec.row("WRITE AND VERIFY(10)", 0x2E, OUT, false, new WriteAndVerify(LbaField.TEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            CommandSpec.row("VERIFY(10)", 0x2F, OUT, false, new Verify(LbaField.TEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ).reading(),
            CommandSpec.row("PRE-FETCH(10)", 0x34, NONE, false, new PreFetch(LbaField.TEN),
                    0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).withReservationAccess(READ).needingMedium(),
            CommandSpec.row("SYNCHRONIZE CACHE(10)", 0x35, NONE, false, new SynchronizeCache(LbaField.TEN),
                    0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).needingMedium(),
            CommandSpec.row("READ DEFECT DATA(10)", 0x37, IN, false, ReadDefectData.ten(),
                    0, 0x1F, 0, 0, 0, 0, 0xFF, 0xFF).withReservationAccess(READ).needingMedium(),
            CommandSpec.row("WRITE SAME(10)", 0x41, OUT, false, new WriteSame(LbaField.TEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF).writing(),
            CommandSpec.row("UNMAP", 0x42, OUT, false, new Unmap(), 0x01, 0, 0, 0, 0, 0x1F, 0xFF, 0xFF).writing(),
            CommandSpec.serviceAction("SANITIZE OVERWRITE", 0x48, Sanitize.OVERWRITE, OUT, false,
                    new Sanitize(Sanitize.OVERWRITE), 0xBF, 0, 0, 0, 0, 0, 0xFF, 0xFF).writing(),
            CommandSpec.serviceAction("SANITIZE BLOCK ERASE", 0x48, Sanitize.BLOCK_ERASE, OUT, false,
                    new Sanitize(Sanitize.BLOCK_ERASE), 0xBF, 0, 0, 0, 0, 0, 0xFF, 0xFF).writing(),
            CommandSpec.serviceAction("SANITIZE EXIT FAILURE MODE", 0x48, Sanitize.EXIT_FAILURE_MODE, OUT, false,
                    new Sanitize(Sanitize.EXIT_FAILURE_MODE), 0xBF, 0, 0, 0, 0, 0, 0xFF, 0xFF).needingMedium(),
            CommandSpec.row("READ(16)", 0x88, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.SIXTEEN),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ).reading(),
            CommandSpec.row("COMPARE AND WRITE", 0x89, OUT, false, new CompareAndWrite(),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0x1F).writing(),
            CommandSpec.row("WRITE(16)", 0x8A, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.SIXTEEN),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("ORWRITE(16)", 0x8B, OUT, false, new OrWrite(),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("WRITE AND VERIFY(16)", 0x8E, OUT, false, new WriteAndVerify(LbaField.SIXTEEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("VERIFY(16)", 0x8F, OUT, false, new Verify(LbaField.SIXTEEN),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ).reading(),
            CommandSpec.row("PRE-FETCH(16)", 0x90, NONE, false, new PreFetch(LbaField.SIXTEEN),
                    0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .withReservationAccess(READ).needingMedium(),
            CommandSpec.row("SYNCHRONIZE CACHE(16)", 0x91, NONE, false, new SynchronizeCache(LbaField.SIXTEEN),
                    0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F)
                    .needingMedium(),
            CommandSpec.row("WRITE SAME(16)", 0x93, OUT, false, new WriteSame(LbaField.SIXTEEN),
                    0x19, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("WRITE ATOMIC(16)", 0x9C, OUT, false, new WriteAtomic(),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.serviceAction("READ CAPACITY(16)", 0x9E, 0x10, IN, false, new ReadCapacity(true),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)
                    .withReservationAccess(STATUS).needingMedium(),
            CommandSpec.serviceAction("GET LBA STATUS", 0x9E, 0x12, IN, false, new GetLbaStatus(),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
                    .withReservationAccess(READ).needingMedium(),
            CommandSpec.row("READ(12)", 0xA8, IN, false, new ReadWrite(ReadWrite.Op.READ, LbaField.TWELVE),
                    0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).withReservationAccess(READ).reading(),
            CommandSpec.row("WRITE(12)", 0xAA, OUT, false, new ReadWrite(ReadWrite.Op.WRITE, LbaField.TWELVE),
                    0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("WRITE AND VERIFY(12)", 0xAE, OUT, false, new WriteAndVerify(LbaField.TWELVE),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.row("VERIFY(12)", 0xAF, OUT, false, new Verify(LbaField.TWELVE),
                    0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).withReservationAccess(READ).reading(),
            CommandSpec.row("READ DEFECT DATA(12)", 0xB7, IN, false, ReadDefectData.twelve(),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0).withReservationAccess(READ).needingMedium());

    private SbcCommands() {
    }

    /** This standard's rows of the opcode table. */
    public static List<CommandSpec> rows() {
        return ROWS;
    }
}

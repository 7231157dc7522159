package io.platter.scsi.command;

import io.platter.scsi.reservation.ReservationAccess;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.MediumAccess;

/**
 * One row of the opcode table: a command's name, operation code and service action, CDB
 * length, usage mask (SPC-5 §6.35.3: the CDB bits the device server looks at; any other bit set
 * is an invalid field), data direction, handler and the columns the task's executor applies to
 * every command alike.
 *
 * @param serviceAction the service action (SPC-5 §4.2.5.2), or -1 when the opcode has none
 * @param usageMask     one byte per CDB byte; byte 0 is the operation code
 * @param unmappedLun   whether the command is served for a LUN that is not mapped (SPC-5 §4.4.3)
 * @param medium        how the command touches the medium of the addressed unit: anything but NONE
 *                      fails with NOT READY while the unit is offline (SPC-5 §4.4.5), WRITE fails with
 *                      WRITE PROTECTED while the unit is write protected (SBC-4 §4.11), and a plan
 *                      may not access the medium more than this column says
 * @param reservationAccess how the command fares under another nexus's reservation (SPC-5
 *                      §5.14.1); {@link ReservationAccess#WRITE}, always conflicting, unless a row says otherwise
 * @param allowedWithUnitAttention whether the command runs, and leaves a pending unit attention
 *                      pending, instead of reporting it (SAM-5 §5.14: INQUIRY, REPORT LUNS, REQUEST SENSE)
 */
public record CommandSpec(String name, int opcode, int serviceAction, int cdbLength, int[] usageMask,
                          DataDirection direction, boolean unmappedLun, CommandHandler handler,
                          MediumAccess medium, ReservationAccess reservationAccess,
                          boolean allowedWithUnitAttention) {

    /** A row for a command that does not touch the medium, conflicts with any reservation and reports unit attentions. */
    public CommandSpec(String name, int opcode, int serviceAction, int cdbLength, int[] usageMask,
                       DataDirection direction, boolean unmappedLun, CommandHandler handler) {
        this(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler, MediumAccess.NONE,
                ReservationAccess.WRITE, false);
    }

    public CommandSpec {
        if (usageMask.length != cdbLength) {
            throw new IllegalArgumentException(name + ": usage mask has " + usageMask.length
                    + " bytes for a " + cdbLength + "-byte CDB");
        }
        usageMask = usageMask.clone();
    }

    /** Checks the CDB length and that no bit outside the usage mask is set. */
    public void check(byte[] cdb) throws CheckConditionException {
        if (cdb.length < cdbLength) {
            // Cannot point at a byte that is not there; point at the operation code.
            throw CheckConditionException.invalidCdbField(0);
        }
        for (int i = 1; i < cdbLength; i++) {
            int stray = cdb[i] & ~usageMask[i] & 0xff;
            if (stray != 0) {
                throw new CheckConditionException(Sense.INVALID_FIELD_IN_CDB,
                        FieldPointer.cdb(i, Cdb.highestBit(stray)));
            }
        }
    }

    /** This row, marked as changing the medium. */
    public CommandSpec writing() {
        return withMedium(MediumAccess.WRITE);
    }

    /** This row, marked as needing the medium present without touching a block of it ({@link MediumAccess#STATE}). */
    public CommandSpec needingMedium() {
        return withMedium(MediumAccess.STATE);
    }

    /** This row, marked as reading the medium. */
    public CommandSpec reading() {
        return withMedium(MediumAccess.READ);
    }

    private CommandSpec withMedium(MediumAccess access) {
        return new CommandSpec(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun,
                handler, access, reservationAccess, allowedWithUnitAttention);
    }

    /** This row with another reservation-conflict column. */
    public CommandSpec withReservationAccess(ReservationAccess access) {
        return new CommandSpec(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler,
                medium, access, allowedWithUnitAttention);
    }

    /** This row, run with a unit attention pending (which it leaves pending or deals with itself). */
    public CommandSpec allowingUnitAttention() {
        return new CommandSpec(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler,
                medium, reservationAccess, true);
    }

    /** Whether the command changes the medium. */
    public boolean writesMedium() {
        return medium == MediumAccess.WRITE;
    }

    /** Control byte mask (SAM-5 §5.2): vendor-specific bits 7:6 only, as NACA and linking are not supported. */
    public static final int CONTROL = 0xC0;

    /** A row whose usage mask is given for bytes 1 to n-2; byte 0 and the control byte are added. */
    public static CommandSpec row(String name, int opcode, DataDirection direction, boolean unmappedLun,
                                  CommandHandler handler, int... middle) {
        return serviceAction(name, opcode, -1, direction, unmappedLun, handler, middle);
    }

    /** Like {@link #row}, for one service action of an opcode that has them (SPC-5 §4.2.5.2). */
    public static CommandSpec serviceAction(String name, int opcode, int serviceAction,
                                            DataDirection direction, boolean unmappedLun,
                                            CommandHandler handler, int... middle) {
        int[] mask = new int[middle.length + 2];
        mask[0] = 0xFF;
        System.arraycopy(middle, 0, mask, 1, middle.length);
        mask[mask.length - 1] = CONTROL;
        return new CommandSpec(name, opcode, serviceAction, mask.length, mask, direction, unmappedLun, handler);
    }

    /** Whether the opcode has service actions (SPC-5 §4.2.5.2). */
    public boolean hasServiceAction() {
        return serviceAction >= 0;
    }

    /** The usage mask byte for CDB byte {@code i}. */
    public int usageMask(int i) {
        return usageMask[i];
    }
}

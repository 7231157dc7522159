package io.platter.scsi.command;

import io.platter.scsi.reservation.ReservationAccess;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;

/**
 * One row of the opcode table: a command's name, operation code and service action, CDB
 * length, usage mask (SPC-5 §6.35.3: the CDB bits the device server looks at; any other bit set
 * is an invalid field), data direction, handler and reservation-conflict column.
 *
 * @param serviceAction the service action (SPC-5 §4.2.5.2), or -1 when the opcode has none
 * @param usageMask     one byte per CDB byte; byte 0 is the operation code
 * @param unmappedLun   whether the command is served for a LUN that is not mapped (SPC-5 §4.4.3)
 * @param writesMedium  whether the command changes the medium, and so fails with WRITE PROTECTED
 *                      while the unit is write protected (SBC-4 §4.11)
 * @param reservationAccess how the command fares under another nexus's reservation (SPC-5
 *                      §5.14.1); {@link ReservationAccess#WRITE}, always conflicting, unless a row says otherwise
 */
public record CommandSpec(String name, int opcode, int serviceAction, int cdbLength, int[] usageMask,
                          DataDirection direction, boolean unmappedLun, CommandHandler handler,
                          boolean writesMedium, ReservationAccess reservationAccess) {

    /** A row for a command that does not change the medium and conflicts with any reservation. */
    public CommandSpec(String name, int opcode, int serviceAction, int cdbLength, int[] usageMask,
                       DataDirection direction, boolean unmappedLun, CommandHandler handler) {
        this(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler, false,
                ReservationAccess.WRITE);
    }

    /** A row for a command that does not change the medium. */
    public CommandSpec(String name, int opcode, int serviceAction, int cdbLength, int[] usageMask,
                       DataDirection direction, boolean unmappedLun, CommandHandler handler,
                       ReservationAccess reservationAccess) {
        this(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler, false,
                reservationAccess);
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
        return new CommandSpec(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun,
                handler, true, reservationAccess);
    }

    /** This row with another reservation-conflict column. */
    public CommandSpec withReservationAccess(ReservationAccess access) {
        return new CommandSpec(name, opcode, serviceAction, cdbLength, usageMask, direction, unmappedLun, handler,
                writesMedium, access);
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

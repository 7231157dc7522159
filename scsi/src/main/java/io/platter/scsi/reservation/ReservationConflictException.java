package io.platter.scsi.reservation;

/**
 * The command ends with RESERVATION CONFLICT status (SAM-5 §5.3.3), which carries no sense. Part
 * of the task tier: converted once by the command's task. Carries no stack trace.
 */
public final class ReservationConflictException extends Exception {

    public ReservationConflictException(String why) {
        super(why, null, false, false);
    }
}

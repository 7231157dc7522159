package io.platter.scsi.copy;

import static io.platter.scsi.command.DataDirection.IN;
import static io.platter.scsi.command.DataDirection.OUT;
import static io.platter.scsi.reservation.ReservationAccess.STATUS;

import io.platter.scsi.reservation.ReservationAccess;

import io.platter.scsi.command.CommandSpec;
import java.util.List;

/**
 * The third-party copy commands of the opcode table: EXTENDED COPY(LID1) and RECEIVE COPY RESULTS
 * (SPC-4 §6.3-§6.5, §6.21-§6.25), and the ROD token commands of ODX: POPULATE TOKEN, WRITE USING
 * TOKEN (SBC-4 §5.x) and RECEIVE ROD TOKEN INFORMATION (SPC-5 §6.x).
 */
public final class CopyCommands {

    private static final List<CommandSpec> ROWS = List.of(
            CommandSpec.serviceAction("EXTENDED COPY(LID1)", 0x83, 0x00, OUT, false, new ExtendedCopy(),
                    0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            // each copy target by its own rules (CopyJob)
            // ODX (SBC-4 §5.x): the token's source is read as by READ (shared range locks), the destination written.
            CommandSpec.serviceAction("POPULATE TOKEN", 0x83, PopulateToken.SERVICE_ACTION, OUT, false,
                    new PopulateToken(RodTokens.DAEMON, TokenResults.DAEMON),
                    0x1F, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).reading()
                    .withReservationAccess(ReservationAccess.READ),
            CommandSpec.serviceAction("WRITE USING TOKEN", 0x83, WriteUsingToken.SERVICE_ACTION, OUT, false,
                    new WriteUsingToken(RodTokens.DAEMON, TokenResults.DAEMON),
                    0x1F, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F).writing(),
            CommandSpec.serviceAction("RECEIVE COPY RESULTS: COPY STATUS", 0x84, 0x00, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.COPY_STATUS),
                    0x1F, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            CommandSpec.serviceAction("RECEIVE COPY RESULTS: OPERATING PARAMETERS", 0x84, 0x03, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.OPERATING_PARAMETERS),
                    0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            CommandSpec.serviceAction("RECEIVE COPY RESULTS: FAILED SEGMENT DETAILS", 0x84, 0x04, IN, false,
                    new ReceiveCopyResults(ReceiveCopyResults.Action.FAILED_SEGMENT_DETAILS),
                    0x1F, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
            CommandSpec.serviceAction("RECEIVE ROD TOKEN INFORMATION", 0x84, ReceiveRodTokenInformation.SERVICE_ACTION, IN,
                    false, new ReceiveRodTokenInformation(TokenResults.DAEMON),
                    0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0));

    private CopyCommands() {
    }

    /** This standard's rows of the opcode table. */
    public static List<CommandSpec> rows() {
        return ROWS;
    }
}

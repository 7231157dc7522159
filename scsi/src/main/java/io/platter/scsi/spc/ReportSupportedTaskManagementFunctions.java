package io.platter.scsi.spc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5 §6.36, MAINTENANCE IN A3h/0Dh): the task
 * management functions the iSCSI transport carries to this core (RFC 7143 §11.5.1): ABORT TASK,
 * ABORT TASK SET, CLEAR TASK SET and LOGICAL UNIT RESET. Not CLEAR ACA (NACA is unsupported),
 * QUERY TASK, QUERY TASK SET, QUERY ASYNCHRONOUS EVENT or I_T NEXUS RESET. REPD=1 returns the
 * extended format with TMFTMOV 0 (no timeouts reported). An ALLOCATION LENGTH below 4 is INVALID
 * FIELD IN CDB (§6.36.1).
 */
final class ReportSupportedTaskManagementFunctions implements CommandHandler {

    private static final int REPD_BYTE = 2;
    private static final int REPD_BIT = 7;
    private static final int ALLOCATION_LENGTH = 6;
    private static final int MINIMUM_ALLOCATION = 4;

    private static final int ATS = 0x80;
    private static final int ATSS = 0x40;
    private static final int CTSS = 0x10;
    private static final int LURS = 0x08;
    /** Byte 0 of the parameter data: the functions supported. */
    static final int SUPPORTED = ATS | ATSS | CTSS | LURS;
    private static final int EXTENDED_LENGTH = 16;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        long allocationLength = Cdb.u32(cdb, ALLOCATION_LENGTH);
        if (allocationLength < MINIMUM_ALLOCATION) {
            throw CheckConditionException.invalidCdbField(ALLOCATION_LENGTH);
        }
        byte[] data;
        if (Cdb.bit(cdb, REPD_BYTE, REPD_BIT)) {
            data = new byte[EXTENDED_LENGTH];
            data[3] = (byte) (EXTENDED_LENGTH - 4);   // ADDITIONAL DATA LENGTH
        } else {
            data = new byte[4];
        }
        data[0] = (byte) SUPPORTED;
        return Plan.reply(data, allocationLength);
    }
}

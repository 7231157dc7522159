package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.ItNexus;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * EXTENDED COPY (LID1) (SPC-4 §6.3, opcode 83h service action 00h): the copy manager of this
 * unit copies blocks between units of the same target (VMware XCOPY). The parameter list is
 * parsed and checked whole by {@link CopyParameterList}; {@link CopyJob} then moves the data in
 * chunks on the destination unit's I/O executor. A PARAMETER LIST LENGTH of zero copies nothing.
 */
final class ExtendedCopy implements CommandHandler {

    private static final int PARAMETER_LIST_LENGTH = 10;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        long length = Cdb.u32(task.cdb(), PARAMETER_LIST_LENGTH);
        if (length > Integer.MAX_VALUE) {
            throw CheckConditionException.invalidCdbField(PARAMETER_LIST_LENGTH);
        }
        if (length == 0) {
            return Plan.good(0);
        }
        ByteBuf data = task.dataOut();
        if (data == null) {
            return new Plan.Failed((int) length, new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        CopyParameterList list;
        try {
            list = CopyParameterList.parse(data, (int) length, task.target());
        } catch (CheckConditionException e) {
            return new Plan.Failed((int) length, e);
        }
        CopyResults results = task.unit().copyResults();
        ItNexus nexus = task.command().nexus();
        // SPC-4 §6.4.3.2 and §5.17.7.4 h: 00b holds the status and the failure details, 10b only these.
        boolean hold = nexus != null && (list.listIdUsage() == CopyParameterList.HOLD_ALL
                || list.listIdUsage() == CopyParameterList.HOLD_FAILURE_DETAILS);
        boolean statusHeld = list.listIdUsage() == CopyParameterList.HOLD_ALL;
        return new Plan.Copy((int) length, new CopyJob(task, list.segments(), status -> {
            if (hold) {
                results.hold(nexus, list.listId(), statusHeld ? status : status.withStatusDelivered());
            }
        }));
    }
}

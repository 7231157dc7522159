package io.platter.scsi.command;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;

/**
 * EXTENDED COPY (LID1) (SPC-4 §6.3, opcode 83h service action 00h): the copy manager of this
 * unit copies blocks between units of the same target (VMware XCOPY). The parameter list is
 * parsed and checked whole by {@link CopyParameterList}; {@link CopyJob} then moves the data in
 * chunks on the destination unit's I/O executor. A PARAMETER LIST LENGTH of zero copies nothing.
 */
final class ExtendedCopy implements CommandHandler {

    private static final int PARAMETER_LIST_LENGTH = 10;
    private static final int HOLD_MAX_USAGE = 0b01;

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
        boolean hold = list.listIdUsage() <= HOLD_MAX_USAGE;
        return new Plan.Copy((int) length, new CopyJob(task, list.segments(), status -> {
            if (hold) {
                results.hold(task.command().nexus(), list.listId(), status);
            }
        }));
    }
}

package io.platter.scsi.command;

import io.platter.scsi.ScsiStatus;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.sense.StorageErrors;
import java.nio.ByteBuffer;

/**
 * RECEIVE COPY RESULTS (LID1) (opcode 84h; SPC-3 §6.17, kept by SPC-4 as the LID1 copy status
 * and operating parameters commands): service action 00h COPY STATUS (§6.17.2) for a held
 * EXTENDED COPY list identifier of this I_T nexus, 03h OPERATING PARAMETERS (§6.17.4), 04h FAILED
 * SEGMENT DETAILS (§6.17.5; SPC-4 RECEIVE COPY FAILURE DETAILS) for such a copy that ended with
 * CHECK CONDITION while processing segments. A copy without failure details (it completed, or they
 * were delivered whole once) answers with AVAILABLE DATA 0 and nothing after it.
 */
final class ReceiveCopyResults implements CommandHandler {

    enum Action { COPY_STATUS, OPERATING_PARAMETERS, FAILED_SEGMENT_DETAILS }

    private static final int LIST_IDENTIFIER = 2;
    private static final int ALLOCATION_LENGTH = 10;
    private static final int COPY_STATUS_LENGTH = 12;
    private static final int OPERATING_PARAMETERS_HEADER = 44;
    private static final int FAILURE_DETAILS_HEADER = 60;
    private static final int COPY_COMMAND_STATUS = 56;
    private static final int SENSE_DATA_LENGTH = 58;
    private static final int COMPLETED = 0x00;
    private static final int COMPLETED_WITH_ERRORS = 0x01;
    private static final int UNITS_BYTES = 0x00;
    private static final int UNITS_KIB = 0x01;

    private final Action action;

    ReceiveCopyResults(Action action) {
        this.action = action;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        if (action == Action.FAILED_SEGMENT_DETAILS) {
            return failedSegmentDetails(task, Cdb.u8(cdb, LIST_IDENTIFIER), Cdb.u32(cdb, ALLOCATION_LENGTH));
        }
        byte[] data = switch (action) {
            case COPY_STATUS -> copyStatus(task, Cdb.u8(cdb, LIST_IDENTIFIER));
            case OPERATING_PARAMETERS -> operatingParameters();
            case FAILED_SEGMENT_DETAILS -> throw new IllegalStateException();
        };
        return Plan.reply(data, Cdb.u32(cdb, ALLOCATION_LENGTH));
    }

    private static byte[] copyStatus(Task task, int listId) throws CheckConditionException {
        CopyResults.Status status = task.unit().copyResults().find(task.command().nexus(), listId);
        if (status == null) {
            throw CheckConditionException.invalidCdbField(LIST_IDENTIFIER);
        }
        boolean bytes = status.bytesTransferred() <= 0xFFFF_FFFFL;
        ByteBuffer b = ByteBuffer.allocate(COPY_STATUS_LENGTH);
        b.putInt(COPY_STATUS_LENGTH - 4);                    // AVAILABLE DATA
        b.put((byte) (status.completedWithErrors() ? COMPLETED_WITH_ERRORS : COMPLETED)); // HDD 0
        b.putShort((short) status.segmentsProcessed());
        b.put((byte) (bytes ? UNITS_BYTES : UNITS_KIB));
        b.putInt((int) (bytes ? status.bytesTransferred() : status.bytesTransferred() >>> 10));
        return b.array();
    }

    private static Plan failedSegmentDetails(Task task, int listId, long allocationLength)
            throws CheckConditionException {
        CopyResults results = task.unit().copyResults();
        CopyResults.Status status = results.find(task.command().nexus(), listId);
        if (status == null) {
            throw CheckConditionException.invalidCdbField(LIST_IDENTIFIER);
        }
        if (status.failure() == null) {
            return Plan.reply(new byte[4], allocationLength);   // AVAILABLE DATA 0
        }
        byte[] sense = SenseData.build(status.failure(), task.unit().modeState().descriptorSense());
        byte[] data = new byte[FAILURE_DETAILS_HEADER + sense.length];
        ByteBuffer b = ByteBuffer.wrap(data);
        b.putInt(0, data.length - 4);                        // AVAILABLE DATA
        b.put(COPY_COMMAND_STATUS, (byte) ScsiStatus.CHECK_CONDITION.wire());
        b.putShort(SENSE_DATA_LENGTH, (short) sense.length);
        b.put(FAILURE_DETAILS_HEADER, sense);
        return Plan.control(-1, StorageErrors.Access.READ, () -> {
            if (allocationLength >= data.length) {
                results.discardFailure(task.command().nexus(), listId);
            }
            return task.replyBuffer(data, allocationLength);
        }, null);
    }

    private static byte[] operatingParameters() {
        int[] types = CopyLimits.DESCRIPTOR_TYPES;
        ByteBuffer b = ByteBuffer.allocate(OPERATING_PARAMETERS_HEADER + types.length);
        b.putInt(b.capacity() - 4);                          // AVAILABLE DATA
        b.putInt(0);                                         // SNLID 0, reserved
        b.putShort((short) CopyLimits.MAX_TARGET_DESCRIPTORS);
        b.putShort((short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(CopyLimits.MAX_SEGMENT_BYTES);
        b.putInt(0);                                         // MAXIMUM INLINE DATA LENGTH
        b.putInt(0);                                         // HELD DATA LIMIT
        b.putInt(0);                                         // MAXIMUM STREAM DEVICE TRANSFER SIZE
        b.putShort((short) 0);
        b.putShort((short) CopyLimits.MAX_CONCURRENT_COPIES); // TOTAL CONCURRENT COPIES
        b.put((byte) CopyLimits.MAX_CONCURRENT_COPIES);
        b.put((byte) CopyLimits.DATA_SEGMENT_GRANULARITY_LOG2);
        b.put((byte) 0);                                     // INLINE DATA GRANULARITY
        b.put((byte) 0);                                     // HELD DATA GRANULARITY
        b.put(new byte[3]);
        b.put((byte) types.length);                          // IMPLEMENTED DESCRIPTOR LIST LENGTH
        for (int t : types) {
            b.put((byte) t);
        }
        return b.array();
    }
}

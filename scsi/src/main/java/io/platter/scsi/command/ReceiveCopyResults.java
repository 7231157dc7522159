package io.platter.scsi.command;

import io.platter.scsi.sense.CheckConditionException;
import java.nio.ByteBuffer;

/**
 * RECEIVE COPY RESULTS (LID1) (opcode 84h; SPC-3 §6.17, kept by SPC-4 as the LID1 copy status
 * and operating parameters commands): service action 00h COPY STATUS (§6.17.2) for a held
 * EXTENDED COPY list identifier of this I_T nexus, 03h OPERATING PARAMETERS (§6.17.4).
 */
final class ReceiveCopyResults implements CommandHandler {

    enum Action { COPY_STATUS, OPERATING_PARAMETERS }

    private static final int LIST_IDENTIFIER = 2;
    private static final int ALLOCATION_LENGTH = 10;
    private static final int COPY_STATUS_LENGTH = 12;
    private static final int OPERATING_PARAMETERS_HEADER = 44;
    private static final int COMPLETED = 0x00;
    private static final int COMPLETED_WITH_ERRORS = 0x01;
    private static final int UNITS_BYTES = 0x00;
    private static final int UNITS_KIB = 0x01;

    private final Action action;

    ReceiveCopyResults(Action action) {
        this.action = action;
    }

    @Override
    public void execute(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        byte[] data = switch (action) {
            case COPY_STATUS -> copyStatus(task, Cdb.u8(cdb, LIST_IDENTIFIER));
            case OPERATING_PARAMETERS -> operatingParameters();
        };
        task.completeWith(data, Cdb.u32(cdb, ALLOCATION_LENGTH));
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

package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.ItNexus;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import java.nio.ByteBuffer;

/**
 * RECEIVE COPY RESULTS (opcode 84h), the SPC-3 compatible LID1 third-party copy commands of SPC-4:
 * service action 00h RECEIVE COPY STATUS(LID1) (§6.25) of a held EXTENDED COPY of this I_T nexus,
 * 03h RECEIVE COPY OPERATING PARAMETERS (§6.22), 04h RECEIVE COPY FAILURE DETAILS(LID1) (§6.23).
 * What is held and when it is discarded is {@link CopyResults}'. A list identifier of no held copy
 * (or, for failure details, of one still in progress) is INVALID FIELD IN CDB; a finished copy
 * without failure details answers those with AVAILABLE DATA 0 and nothing after it.
 */
final class ReceiveCopyResults implements CommandHandler {

    enum Action { COPY_STATUS, OPERATING_PARAMETERS, FAILED_SEGMENT_DETAILS }

    private static final int LIST_IDENTIFIER = 2;
    private static final int ALLOCATION_LENGTH = 10;
    /** AVAILABLE DATA of COPY STATUS: 00000008h (table 253). */
    private static final int COPY_STATUS_LENGTH = 12;
    private static final int OPERATING_PARAMETERS_HEADER = 44;
    private static final int FAILURE_DETAILS_HEADER = 60;
    private static final int COPY_COMMAND_STATUS = 56;
    private static final int SENSE_DATA_LENGTH = 58;
    /** SNLID (table 244): EXTENDED COPY with LIST ID USAGE 11b and LIST IDENTIFIER 0 is supported. */
    private static final int SNLID = 0x01;
    /** TRANSFER COUNT UNITS (table 251). */
    private static final int UNITS_BYTES = 0x00;
    private static final int UNITS_KIB = 0x01;

    private final Action action;

    ReceiveCopyResults(Action action) {
        this.action = action;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        int listId = Cdb.u8(cdb, LIST_IDENTIFIER);
        long allocationLength = Cdb.u32(cdb, ALLOCATION_LENGTH);
        return switch (action) {
            case COPY_STATUS -> Plan.control(-1, StorageErrors.Access.READ,
                    () -> task.replyBuffer(copyStatus(task, listId), allocationLength), null);
            case OPERATING_PARAMETERS -> Plan.reply(operatingParameters(), allocationLength);
            case FAILED_SEGMENT_DETAILS -> Plan.control(-1, StorageErrors.Access.READ,
                    () -> failureDetails(task, listId, allocationLength), null);
        };
    }

    /** Table 253; the held completed status is discarded once returned (§6.25 a). */
    private static byte[] copyStatus(Task task, int listId) throws CheckConditionException {
        ItNexus nexus = task.command().nexus();
        CopyResults.Status status = nexus == null ? null : task.unit().copyResults().takeStatus(nexus, listId);
        if (status == null) {
            throw CheckConditionException.invalidCdbField(LIST_IDENTIFIER);
        }
        boolean bytes = status.bytesTransferred() <= 0xFFFF_FFFFL;
        ByteBuffer b = ByteBuffer.allocate(COPY_STATUS_LENGTH);
        b.putInt(COPY_STATUS_LENGTH - 4);                    // AVAILABLE DATA
        b.put((byte) status.state().wire());                 // HDD 0 (no held data), COPY COMMAND STATUS
        b.putShort((short) status.segmentsProcessed());
        b.put((byte) (bytes ? UNITS_BYTES : UNITS_KIB));
        b.putInt((int) (bytes ? status.bytesTransferred() : status.bytesTransferred() >>> 10));
        return b.array();
    }

    /** Table 246; the details are discarded once delivered whole or asked for with ALLOCATION LENGTH 0 (§6.23 a, b). */
    private static ByteBuf failureDetails(Task task, int listId, long allocationLength) throws CheckConditionException {
        CopyResults results = task.unit().copyResults();
        ItNexus nexus = task.command().nexus();
        CopyResults.Status status = nexus == null ? null : results.find(nexus, listId);
        if (status == null || status.inProgress()) {
            throw CheckConditionException.invalidCdbField(LIST_IDENTIFIER);
        }
        if (status.failure() == null) {
            return task.replyBuffer(new byte[4], allocationLength);   // AVAILABLE DATA 0
        }
        byte[] sense = SenseData.build(status.failure(), task.unit().modeState().descriptorSense());
        byte[] data = new byte[FAILURE_DETAILS_HEADER + sense.length];
        ByteBuffer b = ByteBuffer.wrap(data);
        b.putInt(0, data.length - 4);                        // AVAILABLE DATA
        b.put(COPY_COMMAND_STATUS, (byte) ScsiStatus.CHECK_CONDITION.wire());
        b.putShort(SENSE_DATA_LENGTH, (short) sense.length);
        b.put(FAILURE_DETAILS_HEADER, sense);
        if (allocationLength == 0 || allocationLength >= data.length) {
            results.discardFailure(nexus, listId);
        }
        return task.replyBuffer(data, allocationLength);
    }

    /** Table 244: the same values as the Third-party Copy VPD page (SPC-4 §6.22). */
    private static byte[] operatingParameters() {
        int[] types = CopyLimits.DESCRIPTOR_TYPES;
        ByteBuffer b = ByteBuffer.allocate(OPERATING_PARAMETERS_HEADER + types.length);
        b.putInt(b.capacity() - 4);                          // AVAILABLE DATA
        b.put((byte) SNLID);
        b.put(new byte[3]);
        b.putShort((short) CopyLimits.MAX_TARGET_DESCRIPTORS);
        b.putShort((short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(CopyLimits.MAX_SEGMENT_BYTES);
        b.putInt(0);                                         // MAXIMUM INLINE DATA LENGTH
        b.putInt(0);                                         // HELD DATA LIMIT
        b.putInt(0);                                         // MAXIMUM STREAM DEVICE TRANSFER SIZE
        b.putShort((short) 0);
        // With SNLID set, TOTAL CONCURRENT COPIES counts the 11b copies too and is at least the maximum.
        b.putShort((short) CopyLimits.MAX_CONCURRENT_COPIES);
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

package io.platter.scsi.copy;

import io.platter.scsi.ItNexus;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import java.nio.ByteBuffer;

/**
 * RECEIVE ROD TOKEN INFORMATION (SPC-5 §6.x, opcode 84h service action 07h): the held result of
 * the POPULATE TOKEN or WRITE USING TOKEN with this LIST IDENTIFIER on this I_T nexus and unit
 * ({@link TokenResults}), returned once. CDB: bytes 2-5 LIST IDENTIFIER, 10-13 ALLOCATION
 * LENGTH. Parameter data (the RECEIVE COPY STATUS (LID4) layout): 0-3 AVAILABLE DATA, byte 4
 * RESPONSE TO SERVICE ACTION, 5 COPY OPERATION STATUS, 6-7 OPERATION COUNTER, 8-11 ESTIMATED
 * STATUS UPDATE DELAY, 12 EXTENDED COPY COMPLETION STATUS, 13 LENGTH OF THE SENSE DATA FIELD,
 * 14 SENSE DATA LENGTH, 15 TRANSFER COUNT UNITS, 16-23 TRANSFER COUNT, 24-25 SEGMENTS PROCESSED,
 * then the sense data (none: only completed commands are held), 4 bytes ROD TOKEN DESCRIPTORS
 * LENGTH and, after POPULATE TOKEN, 2 reserved bytes and the 512-byte ROD token. A list
 * identifier with nothing held is INVALID FIELD IN CDB.
 */
final class ReceiveRodTokenInformation implements CommandHandler {

    static final int SERVICE_ACTION = 0x07;
    private static final int LIST_IDENTIFIER = 2;
    private static final int ALLOCATION_LENGTH = 10;
    private static final int HEADER_LENGTH = 32;
    /** COPY OPERATION STATUS: completed without errors. */
    private static final int COMPLETED = 0x01;
    /** TRANSFER COUNT UNITS: logical blocks. */
    private static final int UNITS_BLOCKS = 0xF1;

    private final TokenResults results;

    ReceiveRodTokenInformation(TokenResults results) {
        this.results = results;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        long listId = Cdb.u32(cdb, LIST_IDENTIFIER);
        long allocationLength = Cdb.u32(cdb, ALLOCATION_LENGTH);
        return Plan.control(-1, StorageErrors.Access.READ,
                () -> task.replyBuffer(information(task, listId), allocationLength), null);
    }

    private byte[] information(Task task, long listId) throws CheckConditionException {
        ItNexus nexus = task.command().nexus();
        TokenResults.Result r = nexus == null ? null : results.take(task.unit(), nexus, listId);
        if (r == null) {
            throw CheckConditionException.invalidCdbField(LIST_IDENTIFIER, 7);
        }
        int descriptors = r.token() == null ? 0 : 2 + RodToken.LENGTH;
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + 4 + descriptors);
        b.putInt(b.capacity() - 4);                      // AVAILABLE DATA
        b.put((byte) r.serviceAction());
        b.put((byte) COMPLETED);
        b.putShort((short) 0);                           // OPERATION COUNTER
        b.putInt(0);                                     // ESTIMATED STATUS UPDATE DELAY
        b.put((byte) 0);                                 // EXTENDED COPY COMPLETION STATUS: GOOD
        b.put((byte) 0).put((byte) 0);                   // no sense data
        b.put((byte) UNITS_BLOCKS);
        b.putLong(r.blocks());
        b.putShort((short) 0);                           // SEGMENTS PROCESSED
        b.position(HEADER_LENGTH);
        b.putInt(descriptors);                           // ROD TOKEN DESCRIPTORS LENGTH
        if (r.token() != null) {
            b.putShort((short) 0);
            b.put(r.token());
        }
        return b.array();
    }
}

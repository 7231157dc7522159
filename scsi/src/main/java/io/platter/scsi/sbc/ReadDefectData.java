package io.platter.scsi.sbc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;

/**
 * READ DEFECT DATA (10) (SBC-4 §5.22) and (12) (SBC-4 §5.23). An image has no grown or primary
 * defects, so the device server returns an empty list of the kind and in the format asked for:
 * PLISTV and GLISTV echo REQ_PLIST and REQ_GLIST (the requested lists are valid, and empty), the
 * DEFECT LIST FORMAT echoes the request and DEFECT LIST LENGTH is 0. Every format of SBC-4
 * table 38 (short and long block, bytes from index, physical sector, their extended forms,
 * vendor specific) is served; the reserved code 111b is INVALID FIELD IN CDB.
 */
final class ReadDefectData implements CommandHandler {

    /** Byte of REQ_PLIST (bit 4), REQ_GLIST (bit 3) and DEFECT LIST FORMAT (bits 2:0). */
    private final int flagsByte;
    private final int allocationLengthByte;
    private final int headerLength;

    private static final int LISTS_MASK = 0x18;
    private static final int FORMAT_MASK = 0x07;
    private static final int RESERVED_FORMAT = 0x07;

    private ReadDefectData(int flagsByte, int allocationLengthByte, int headerLength) {
        this.flagsByte = flagsByte;
        this.allocationLengthByte = allocationLengthByte;
        this.headerLength = headerLength;
    }

    /** READ DEFECT DATA (10): flags in byte 2, a 2-byte ALLOCATION LENGTH at byte 7, a 4-byte header. */
    static ReadDefectData ten() {
        return new ReadDefectData(2, 7, 4);
    }

    /** READ DEFECT DATA (12): flags in byte 1, a 4-byte ALLOCATION LENGTH at byte 6, an 8-byte header. */
    static ReadDefectData twelve() {
        return new ReadDefectData(1, 6, 8);
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        int flags = Cdb.u8(cdb, flagsByte);
        if ((flags & FORMAT_MASK) == RESERVED_FORMAT) {
            throw CheckConditionException.invalidCdbField(flagsByte, 2);
        }
        long allocationLength = headerLength == 4 ? Cdb.u16(cdb, allocationLengthByte)
                : Cdb.u32(cdb, allocationLengthByte);
        byte[] header = new byte[headerLength];
        // Byte 1: PLISTV, GLISTV and DEFECT LIST FORMAT at the bits of the request; the
        // GENERATION CODE of the (12) header stays 0 (no generation tracked) and the length 0.
        header[1] = (byte) (flags & (LISTS_MASK | FORMAT_MASK));
        return Plan.reply(header, allocationLength);
    }
}

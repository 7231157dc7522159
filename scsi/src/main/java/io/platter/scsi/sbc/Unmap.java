package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import io.platter.scsi.vpd.BlockLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * UNMAP (SBC-4 §5.30): the parameter list (an 8-byte header and 16-byte block descriptors) is
 * checked whole before any block is discarded, so a rejected command changes nothing. Served only
 * by thin units (LBPU=1 in VPD B2h); a fully provisioned unit answers as if the command did not
 * exist. ANCHOR is not supported (ANC_SUP=0). A descriptor data length that is not a multiple of
 * 16 leaves a partial last descriptor, which is ignored as the standard asks.
 */
final class Unmap implements CommandHandler {

    /** One UNMAP block descriptor, at {@code offset} in the parameter list. */
    record BlockDescriptor(int offset, long lba, long blocks) { }

    private static final int ANCHOR_BYTE = 1;
    private static final int ANCHOR_BIT = 0;
    private static final int PARAMETER_LIST_LENGTH = 7;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR_DATA_LENGTH = 2;
    private static final int DESCRIPTOR = 16;
    private static final int DESCRIPTOR_BLOCKS = 8;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        if (!unit.device().thin()) {
            throw new CheckConditionException(Sense.INVALID_COMMAND_OPERATION_CODE);
        }
        if (Cdb.bit(cdb, ANCHOR_BYTE, ANCHOR_BIT)) {
            throw CheckConditionException.invalidCdbField(ANCHOR_BYTE, ANCHOR_BIT);
        }
        int listLength = Cdb.u16(cdb, PARAMETER_LIST_LENGTH);
        if (listLength == 0) {
            return Plan.good(0);
        }
        List<BlockDescriptor> descriptors;
        try {
            descriptors = parse(task.dataOut(), listLength, unit);
        } catch (CheckConditionException e) {
            return new Plan.Failed(listLength, e);
        }
        BlockDevice device = unit.device();
        int blockSize = unit.blockSize();
        boolean flush = !unit.modeState().writeCacheEnabled();
        // One exclusive range from the lowest to the highest block described: UNMAP is rare enough
        // that covering the gaps costs nothing, and one range per command cannot deadlock.
        long first = Long.MAX_VALUE;
        long end = 0;
        for (BlockDescriptor d : descriptors) {
            if (d.blocks() > 0) {
                first = Math.min(first, d.lba());
                end = Math.max(end, d.lba() + d.blocks());
            }
        }
        if (end == 0) {
            return Plan.good(listLength);
        }
        return Plan.write(listLength, first * blockSize, (end - first) * blockSize, () -> {
            for (BlockDescriptor d : descriptors) {
                if (d.blocks() > 0) {
                    device.discard(d.lba() * blockSize, d.blocks() * blockSize);
                }
            }
            if (flush) {
                device.flush();
            }
            return null;
        });
    }

    /**
     * Parses and checks the parameter list. Does not take ownership of {@code list} (may be
     * null: the initiator sent less than the CDB announced).
     */
    static List<BlockDescriptor> parse(ByteBuf list, int listLength, UnitContext unit)
            throws CheckConditionException {
        int length = list == null ? 0 : Math.min(listLength, list.readableBytes());
        if (length < HEADER) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        int base = list.readerIndex();
        int descriptorLength = list.getUnsignedShort(base + DESCRIPTOR_DATA_LENGTH);
        if (descriptorLength > length - HEADER) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameter(DESCRIPTOR_DATA_LENGTH));
        }
        int count = descriptorLength / DESCRIPTOR;
        if (count > BlockLimits.MAX_UNMAP_DESCRIPTORS) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameter(DESCRIPTOR_DATA_LENGTH));
        }
        List<BlockDescriptor> descriptors = new ArrayList<>(count);
        long total = 0;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            BlockDescriptor d = new BlockDescriptor(at, list.getLong(base + at),
                    list.getUnsignedInt(base + at + DESCRIPTOR_BLOCKS));
            total += d.blocks();
            if (total > BlockLimits.MAX_UNMAP_BLOCKS) {
                throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                        FieldPointer.parameter(at + DESCRIPTOR_BLOCKS));
            }
            LbaField.checkRange(unit, d.lba(), d.blocks());
            descriptors.add(d);
        }
        return descriptors;
    }
}

package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.TargetUnits;
import io.platter.scsi.task.UnitContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The EXTENDED COPY (LID1) parameter list (SPC-4 §6.3.2): a 16-byte header, target descriptors
 * (only E4h, identification descriptor, naming a unit of this target by its NAA designator) and
 * segment descriptors (only 02h, block to block). Everything is checked before any data moves:
 * a list that parses copies nothing out of range and names only units that exist.
 *
 * @param listId      LIST IDENTIFIER
 * @param listIdUsage LIST ID USAGE (SPC-4 §6.4.3.2): 00b holds the copy's status and failure details, 10b
 *                    its failure details only (§5.17.7.4 h), 11b nothing (no list identifier,
 *                    SNLID=1); 01b is reserved
 * @param targets     the copy target units, by target descriptor index
 * @param segments    the segments, in order
 */
record CopyParameterList(int listId, int listIdUsage, List<UnitContext> targets, List<Segment> segments) {

    static final int HEADER_LENGTH = 16;
    static final int HOLD_ALL = 0b00;
    static final int LIST_ID_USAGE_RESERVED = 0b01;
    static final int HOLD_FAILURE_DETAILS = 0b10;
    static final int NO_LIST_ID = 0b11;
    static final int TARGET_DESCRIPTOR_LENGTH = 32;
    static final int SEGMENT_HEADER_LENGTH = 4;
    static final int BLOCK_TO_BLOCK_LENGTH = 0x18;

    private static final int CODE_SET_BINARY = 0x1;
    private static final int DESIGNATOR_NAA = 0x3;
    private static final int NAA_LENGTH = 8;

    /** One block to block segment: {@code blocks} from source to destination, in logical blocks. */
    record Segment(UnitContext source, UnitContext destination, int blocks, long sourceLba, long destinationLba) { }

    /**
     * Parses and checks the list.
     *
     * @param data   the parameter data from its reader index; not retained, not released
     * @param length the PARAMETER LIST LENGTH, at least 1
     */
    static CopyParameterList parse(ByteBuf data, int length, TargetUnits units) throws CheckConditionException {
        int base = data.readerIndex();
        int available = Math.min(length, data.readableBytes());
        if (available < HEADER_LENGTH) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        int listId = data.getUnsignedByte(base);
        int listIdUsage = data.getUnsignedByte(base + 1) >> 3 & 0b11;
        if (listIdUsage == LIST_ID_USAGE_RESERVED) {
            throw CheckConditionException.invalidParameter(1, 4);
        }
        if (listIdUsage == NO_LIST_ID && listId != 0) {
            throw CheckConditionException.invalidParameter(0, 7);   // 11b goes with LIST IDENTIFIER 0
        }
        int targetLength = data.getUnsignedShort(base + 2);
        long segmentLength = data.getUnsignedInt(base + 8);
        long inlineLength = data.getUnsignedInt(base + 12);
        if (HEADER_LENGTH + targetLength + segmentLength + inlineLength > available) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (targetLength + segmentLength > CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (inlineLength != 0) {
            throw CheckConditionException.invalidParameter(12, 7);
        }
        if (targetLength % TARGET_DESCRIPTOR_LENGTH != 0) {
            throw CheckConditionException.invalidParameter(2, 7);
        }
        if (targetLength / TARGET_DESCRIPTOR_LENGTH > CopyLimits.MAX_TARGET_DESCRIPTORS) {
            throw new CheckConditionException(Sense.TOO_MANY_TARGET_DESCRIPTORS);
        }
        int segmentsAt = HEADER_LENGTH + targetLength;
        int segmentsEnd = segmentsAt + (int) segmentLength;
        if (countSegments(data, base, segmentsAt, segmentsEnd) > CopyLimits.MAX_SEGMENT_DESCRIPTORS) {
            throw new CheckConditionException(Sense.TOO_MANY_SEGMENT_DESCRIPTORS);
        }
        List<UnitContext> targets = new ArrayList<>();
        for (int at = HEADER_LENGTH; at < segmentsAt; at += TARGET_DESCRIPTOR_LENGTH) {
            targets.add(target(data, base, at, units));
        }
        List<Segment> segments = new ArrayList<>();
        for (int at = segmentsAt; at < segmentsEnd; at += SEGMENT_HEADER_LENGTH + data.getUnsignedShort(base + at + 2)) {
            segments.add(segment(data, base, at, targets));
        }
        return new CopyParameterList(listId, listIdUsage, List.copyOf(targets), List.copyOf(segments));
    }

    private static int countSegments(ByteBuf data, int base, int at, int end) throws CheckConditionException {
        int count = 0;
        while (at < end) {
            if (end - at < SEGMENT_HEADER_LENGTH) {
                throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            at += SEGMENT_HEADER_LENGTH + data.getUnsignedShort(base + at + 2);
            if (at > end) {
                throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            count++;
        }
        return count;
    }

    /**
     * An identification descriptor target descriptor (SPC-4, table "Identification descriptor
     * CSCD descriptor"): byte 1 LU ID TYPE / NUL (ignored, SPC-4 made them obsolete) and
     * PERIPHERAL DEVICE TYPE, bytes 4-23 a designation descriptor, bytes 29-31 DISK BLOCK LENGTH.
     */
    private static UnitContext target(ByteBuf data, int base, int at, TargetUnits units)
            throws CheckConditionException {
        int p = base + at;
        if (data.getUnsignedByte(p) != CopyLimits.IDENTIFICATION_TARGET) {
            throw new CheckConditionException(Sense.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE,
                    FieldPointer.parameter(at, 7));
        }
        if ((data.getUnsignedByte(p + 1) & 0x1F) != 0) {
            throw CheckConditionException.invalidParameter(at + 1, 4);
        }
        boolean naa = (data.getUnsignedByte(p + 4) & 0x0F) == CODE_SET_BINARY
                && (data.getUnsignedByte(p + 5) & 0x3F) == DESIGNATOR_NAA
                && data.getUnsignedByte(p + 7) == NAA_LENGTH;
        UnitContext unit = naa ? units.unitByNaa(data.getLong(p + 8)) : null;
        if (unit == null) {
            throw new CheckConditionException(Sense.COPY_TARGET_DEVICE_NOT_REACHABLE);
        }
        if (data.getUnsignedMedium(p + 29) != unit.blockSize()) {
            throw CheckConditionException.invalidParameter(at + 29, 7);
        }
        return unit;
    }

    /**
     * A block device to block device segment descriptor: bytes 4-5 and 6-7 the source and
     * destination target descriptor indexes, 10-11 BLOCK DEVICE NUMBER OF BLOCKS, 12-19 and 20-27
     * the source and destination LBAs. DC (byte 1 bit 1) changes nothing: all units share one
     * block length.
     */
    private static Segment segment(ByteBuf data, int base, int at, List<UnitContext> targets)
            throws CheckConditionException {
        int p = base + at;
        if (data.getUnsignedByte(p) != CopyLimits.BLOCK_TO_BLOCK_SEGMENT) {
            throw new CheckConditionException(Sense.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE,
                    FieldPointer.parameter(at, 7));
        }
        if (data.getUnsignedShort(p + 2) != BLOCK_TO_BLOCK_LENGTH) {
            throw CheckConditionException.invalidParameter(at + 2, 7);
        }
        int sourceIndex = data.getUnsignedShort(p + 4);
        int destinationIndex = data.getUnsignedShort(p + 6);
        if (sourceIndex >= targets.size() || destinationIndex >= targets.size()) {
            throw new CheckConditionException(Sense.COPY_TARGET_DEVICE_NOT_REACHABLE);
        }
        Segment s = new Segment(targets.get(sourceIndex), targets.get(destinationIndex),
                data.getUnsignedShort(p + 10), data.getLong(p + 12), data.getLong(p + 20));
        if (!inRange(s.source(), s.sourceLba(), s.blocks()) || !inRange(s.destination(), s.destinationLba(), s.blocks())) {
            throw new CheckConditionException(Sense.COPY_ABORTED);
        }
        return s;
    }

    private static boolean inRange(UnitContext unit, long lba, long blocks) {
        long capacity = unit.blockCount();
        return lba >= 0 && lba <= capacity && blocks <= capacity - lba;
    }
}

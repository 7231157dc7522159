package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One block device range descriptor of POPULATE TOKEN and WRITE USING TOKEN (SBC-4 §5.x, table
 * "Block device range descriptor": bytes 0-7 LOGICAL BLOCK ADDRESS, 8-11 NUMBER OF LOGICAL
 * BLOCKS, 12-15 reserved).
 */
record BlockRange(long lba, long blocks) {

    static final int LENGTH = 16;

    long end() {
        return lba + blocks;
    }

    boolean overlaps(long otherLba, long otherBlocks) {
        return lba < otherLba + otherBlocks && otherLba < lba + blocks;
    }

    /**
     * The header both token parameter lists share (SBC-4 POPULATE TOKEN and WRITE USING TOKEN
     * parameter lists): bytes 0-1 PARAMETER DATA LENGTH, byte 2 flags of which only bits 0-1 are
     * defined, and a BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH at {@code rangesLengthAt}.
     *
     * @param base         absolute index of the parameter list
     * @param rangesLength the descriptor list's length, known to lie within the data
     * @param flags        byte 2
     */
    record ListHeader(int base, int rangesLength, int flags) {

        /** PARAMETER LIST LENGTH in both CDBs (bytes 10-13; LIST IDENTIFIER is bytes 6-9). */
        static final int CDB_LENGTH_FIELD = 10;

        /**
         * The CDB's PARAMETER LIST LENGTH, checked: room for the fixed part and one range descriptor,
         * at most 16 times the descriptors a list may hold (INVALID FIELD IN CDB otherwise).
         */
        static int cdbLength(byte[] cdb, int headerLength) throws CheckConditionException {
            long length = Cdb.u32(cdb, CDB_LENGTH_FIELD);
            if (length < headerLength + LENGTH
                    || length > headerLength + (long) LENGTH * TokenLimits.MAX_RANGE_DESCRIPTORS * 16) {
                throw CheckConditionException.invalidCdbField(CDB_LENGTH_FIELD, 7);
            }
            return (int) length;
        }

        /**
         * Checks the header of a parameter list of {@code length} bytes (the CDB's PARAMETER LIST
         * LENGTH) whose fixed part is {@code headerLength} bytes.
         *
         * @param data the Data-Out, or null; read by absolute index, not retained, not released
         */
        static ListHeader check(ByteBuf data, int length, int headerLength, int rangesLengthAt)
                throws CheckConditionException {
            if (data == null || data.readableBytes() < Math.min(length, headerLength)) {
                throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            int base = data.readerIndex();
            int available = Math.min(length, data.readableBytes());
            int dataLength = data.getUnsignedShort(base);
            int rangesLength = data.getUnsignedShort(base + rangesLengthAt);
            if (headerLength + rangesLength > available || dataLength + 2 < headerLength + rangesLength) {
                throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
            }
            int flags = data.getUnsignedByte(base + 2);
            if ((flags & ~0x03) != 0) {
                throw CheckConditionException.invalidParameter(2, Cdb.highestBit(flags & ~0x03));
            }
            return new ListHeader(base, rangesLength, flags);
        }
    }

    /**
     * Parses and checks a range descriptor list: at most {@link TokenLimits#MAX_RANGE_DESCRIPTORS}
     * (TOO MANY SEGMENT DESCRIPTORS, SBC-4 §5.x), each inside {@code capacity} (LBA OUT OF RANGE), none
     * overlapping another (INVALID FIELD IN PARAMETER LIST), at most
     * {@link TokenLimits#MAX_TOKEN_TRANSFER_BLOCKS} in all.
     *
     * @param data   parameter data; read by absolute index, not retained, not released
     * @param at     absolute index of the first descriptor
     * @param length the BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH, already known to lie within the data
     * @param lengthField offset of that field in the parameter list, for the sense key specific pointer
     */
    static List<BlockRange> parse(ByteBuf data, int at, int length, int lengthField, long capacity)
            throws CheckConditionException {
        if (length == 0 || length % LENGTH != 0) {
            throw CheckConditionException.invalidParameter(lengthField, 7);
        }
        if (length / LENGTH > TokenLimits.MAX_RANGE_DESCRIPTORS) {
            throw new CheckConditionException(Sense.TOO_MANY_SEGMENT_DESCRIPTORS);
        }
        List<BlockRange> ranges = new ArrayList<>(length / LENGTH);
        long total = 0;
        for (int p = at; p < at + length; p += LENGTH) {
            long lba = data.getLong(p);
            long blocks = data.getUnsignedInt(p + 8);
            if (lba < 0 || lba > capacity || blocks > capacity - lba) {
                throw new CheckConditionException(Sense.LBA_OUT_OF_RANGE);
            }
            total += blocks;
            ranges.add(new BlockRange(lba, blocks));
        }
        if (total > TokenLimits.MAX_TOKEN_TRANSFER_BLOCKS) {
            throw CheckConditionException.invalidParameter(lengthField, 7);
        }
        List<BlockRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(BlockRange::lba));
        for (int i = 1; i < sorted.size(); i++) {
            BlockRange previous = sorted.get(i - 1);
            if (previous.blocks() > 0 && sorted.get(i).blocks() > 0 && sorted.get(i).lba() < previous.end()) {
                throw CheckConditionException.invalidParameter(lengthField + 2, 7);
            }
        }
        return List.copyOf(ranges);
    }

    static long totalBlocks(List<BlockRange> ranges) {
        long total = 0;
        for (BlockRange r : ranges) {
            total += r.blocks();
        }
        return total;
    }
}

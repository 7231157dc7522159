package io.platter.scsi.vpd;

import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import io.platter.scsi.copy.CopyLimits;
import io.platter.scsi.copy.TokenLimits;
import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Third-party Copy page, 8Fh (SPC-4 §7.8.17): the third-party copy descriptors of the LID1 copy
 * manager in ascending type order (§7.8.17.1): Supported Commands (0001h, generated from the
 * opcode table), Parameter Data (0004h), Supported Descriptors (0008h), Supported CSCD IDs (000Ch,
 * none above 07FFh) and General Copy Operations (8001h), the ones table 645 makes mandatory for
 * EXTENDED COPY(LID1); for the ROD token commands (ODX) also Block Device ROD Token Limits (0000h,
 * SBC-4 §6.6.x) and Supported ROD Types (0108h). Each descriptor is padded to a multiple of four bytes. The values are those
 * of RECEIVE COPY OPERATING PARAMETERS (§6.22).
 */
final class ThirdPartyCopy implements VpdPage {

    private static final int SUPPORTED_COMMANDS = 0x0001;
    private static final int PARAMETER_DATA = 0x0004;
    private static final int SUPPORTED_DESCRIPTORS = 0x0008;
    private static final int SUPPORTED_CSCD_IDS = 0x000C;
    private static final int GENERAL_COPY_OPERATIONS = 0x8001;
    private static final int BLOCK_DEVICE_ROD_TOKEN_LIMITS = 0x0000;
    private static final int SUPPORTED_ROD_TYPES = 0x0108;
    /** ROD type descriptor flags (SPC-5 table "ROD type descriptor"): TOKEN_IN bit 1, TOKEN_OUT bit 0. */
    private static final int TOKEN_IN = 0x02;
    private static final int TOKEN_OUT = 0x01;
    private static final int ROD_TYPE_DESCRIPTOR_LENGTH = 64;
    /** The third-party copy commands (§5.17.3) this copy manager serves: EXTENDED COPY and RECEIVE COPY RESULTS. */
    private static final int[] COPY_OPCODES = {0x83, 0x84};

    @Override
    public int pageCode() {
        return 0x8F;
    }

    @Override
    public byte[] body(UnitContext unit) {
        ByteBuffer b = ByteBuffer.allocate(512);
        // Block Device ROD Token Limits (SBC-4 §6.6.x, table "Block Device ROD Token Limits descriptor").
        descriptor(b, BLOCK_DEVICE_ROD_TOKEN_LIMITS, 0x20);
        b.put(new byte[6]);                           // reserved
        b.putShort((short) TokenLimits.MAX_RANGE_DESCRIPTORS);
        b.putInt(TokenLimits.MAX_INACTIVITY_SECONDS);
        b.putInt(TokenLimits.DEFAULT_INACTIVITY_SECONDS);
        b.putLong(TokenLimits.MAX_TOKEN_TRANSFER_BLOCKS);
        b.putLong(TokenLimits.OPTIMAL_TRANSFER_BLOCKS);

        supportedCommands(b);

        // Table 648.
        descriptor(b, PARAMETER_DATA, 0x1C);
        b.putInt(0);
        b.putShort((short) CopyLimits.MAX_TARGET_DESCRIPTORS);
        b.putShort((short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(0);                                  // MAXIMUM INLINE DATA LENGTH
        b.put(new byte[12]);

        // Table 649.
        int[] types = CopyLimits.DESCRIPTOR_TYPES;
        descriptor(b, SUPPORTED_DESCRIPTORS, 1 + types.length);
        b.put((byte) types.length);
        for (int t : types) {
            b.put((byte) t);
        }
        pad(b);

        // Table 650: no CSCD IDs above 07FFh.
        descriptor(b, SUPPORTED_CSCD_IDS, 2);
        b.putShort((short) 0);
        pad(b);

        // Supported ROD Types (SPC-5 §7.7.x): ours as source and destination, the zero token as source.
        descriptor(b, SUPPORTED_ROD_TYPES, 4 + 2 * ROD_TYPE_DESCRIPTOR_LENGTH);
        b.putShort((short) 0);
        b.putShort((short) (2 * ROD_TYPE_DESCRIPTOR_LENGTH));  // ROD TYPE DESCRIPTORS LENGTH
        rodType(b, TokenLimits.ROD_TYPE_PIT_CHANGE_VULNERABLE, TOKEN_IN | TOKEN_OUT);
        rodType(b, TokenLimits.ROD_TYPE_BLOCK_ZERO, TOKEN_IN);

        // Table 658.
        descriptor(b, GENERAL_COPY_OPERATIONS, 0x20);
        b.putInt(CopyLimits.MAX_CONCURRENT_COPIES);   // TOTAL CONCURRENT COPIES
        b.putInt(CopyLimits.MAX_CONCURRENT_COPIES);   // MAXIMUM IDENTIFIED CONCURRENT COPIES
        b.putInt(CopyLimits.MAX_SEGMENT_BYTES);
        b.put((byte) CopyLimits.DATA_SEGMENT_GRANULARITY_LOG2);
        b.put((byte) 0);                              // INLINE DATA GRANULARITY
        b.put(new byte[18]);

        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Table 646/647: one command support descriptor per copy opcode, its service actions ascending. */
    private static void supportedCommands(ByteBuffer b) {
        int at = b.position();
        b.putInt(0);                                  // header, filled in below
        b.put((byte) 0);                              // COMMANDS SUPPORTED LIST LENGTH
        List<CommandSpec> rows = CommandTable.rows();
        for (int opcode : COPY_OPCODES) {
            int countAt = b.position() + 1;
            b.put((byte) opcode).put((byte) 0);
            rows.stream().filter(r -> r.opcode() == opcode && r.hasServiceAction())
                    .mapToInt(CommandSpec::serviceAction).sorted().distinct()
                    .forEach(sa -> b.put((byte) sa));
            b.put(countAt, (byte) (b.position() - countAt - 1));
        }
        int listLength = b.position() - at - 5;
        b.put(at + 4, (byte) listLength);
        pad(b);
        b.putShort(at, (short) SUPPORTED_COMMANDS);
        b.putShort(at + 2, (short) (b.position() - at - 4));
    }

    /** ROD type descriptor: ROD TYPE, flags (ECPY 0: not for EXTENDED COPY), PREFERENCE INDICATOR 0, reserved. */
    private static void rodType(ByteBuffer b, int type, int flags) {
        b.putInt(type);
        b.put((byte) flags);
        b.put((byte) 0);
        b.putShort((short) 0);
        b.put(new byte[ROD_TYPE_DESCRIPTOR_LENGTH - 8]);
    }

    /** Descriptor header; the DESCRIPTOR LENGTH counts the bytes after it, padding included. */
    private static void descriptor(ByteBuffer b, int type, int contentLength) {
        b.putShort((short) type);
        b.putShort((short) ((contentLength + 3) & ~3));
    }

    private static void pad(ByteBuffer b) {
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }
}

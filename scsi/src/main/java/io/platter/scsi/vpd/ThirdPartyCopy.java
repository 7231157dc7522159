package io.platter.scsi.vpd;

import io.platter.scsi.command.CopyLimits;
import io.platter.scsi.command.UnitContext;
import java.nio.ByteBuffer;

/**
 * Third-party Copy page, 8Fh (SPC-4 §7.8.17): the Supported Commands (0001h), Parameter Data
 * (0008h) and Supported Descriptors (0004h) third-party copy descriptors of the LID1 copy
 * manager. Each descriptor is padded to a multiple of four bytes.
 */
final class ThirdPartyCopy implements VpdPage {

    private static final int SUPPORTED_COMMANDS = 0x0001;
    private static final int SUPPORTED_DESCRIPTORS = 0x0004;
    private static final int PARAMETER_DATA = 0x0008;
    /** EXTENDED COPY 83h: service action 00h (LID1). */
    private static final byte[] EXTENDED_COPY = {(byte) 0x83, 1, 0x00};
    /** RECEIVE COPY RESULTS 84h: service actions 00h COPY STATUS and 03h OPERATING PARAMETERS. */
    private static final byte[] RECEIVE_COPY_RESULTS = {(byte) 0x84, 2, 0x00, 0x03};

    @Override
    public int pageCode() {
        return 0x8F;
    }

    @Override
    public byte[] body(UnitContext unit) {
        ByteBuffer b = ByteBuffer.allocate(256);
        int commandsLength = EXTENDED_COPY.length + RECEIVE_COPY_RESULTS.length;
        descriptor(b, SUPPORTED_COMMANDS, 1 + commandsLength);
        b.put((byte) commandsLength);
        b.put(EXTENDED_COPY).put(RECEIVE_COPY_RESULTS);
        pad(b);

        descriptor(b, PARAMETER_DATA, 0x1C);
        b.putShort((short) 0);
        b.putShort((short) CopyLimits.MAX_TARGET_DESCRIPTORS);
        b.putShort((short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(0);                                  // MAXIMUM INLINE DATA LENGTH
        b.put(new byte[14]);

        int[] types = CopyLimits.DESCRIPTOR_TYPES;
        descriptor(b, SUPPORTED_DESCRIPTORS, 1 + types.length);
        b.put((byte) types.length);
        for (int t : types) {
            b.put((byte) t);
        }
        pad(b);

        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
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

package io.platter.lun.qcow2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One header extension (qcow2.txt "Header extensions"): a type, its data, padded to 8 bytes on disk. */
public record HeaderExtension(int type, byte[] data) {

    /** Extension types with their wire values. */
    public enum Type {
        END(0x00000000),
        BACKING_FORMAT(0xe2792aca),
        FEATURE_NAMES(0x6803f857),
        BITMAPS(0x23852875),
        ENCRYPTION(0x0537be77),
        EXTERNAL_DATA_FILE(0x44415441);

        public final int wire;

        Type(int wire) {
            this.wire = wire;
        }
    }

    public static HeaderExtension backingFormat(String format) {
        return new HeaderExtension(Type.BACKING_FORMAT.wire, format.getBytes(StandardCharsets.UTF_8));
    }

    public boolean is(Type t) {
        return type == t.wire;
    }

    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /**
     * Parses the extensions from {@code start} up to the end marker, never past {@code limit}
     * (the end of the first cluster).
     */
    static List<HeaderExtension> parseAll(ByteBuffer cluster, int start, int limit) throws Qcow2FormatException {
        ByteBuffer b = cluster.duplicate().order(ByteOrder.BIG_ENDIAN);
        List<HeaderExtension> out = new ArrayList<>();
        int at = start;
        while (true) {
            if (at + 8 > limit) {
                throw new Qcow2FormatException("header extensions run past the first cluster");
            }
            int type = b.getInt(at);
            long length = Integer.toUnsignedLong(b.getInt(at + 4));
            if (type == Type.END.wire) {
                return out;
            }
            if (at + 8 + length > limit) {
                throw new Qcow2FormatException("header extension 0x" + Integer.toHexString(type)
                        + " of " + length + " bytes runs past the first cluster");
            }
            byte[] data = new byte[(int) length];
            b.get(at + 8, data);
            out.add(new HeaderExtension(type, data));
            at += 8 + (int) ((length + 7) & ~7L);
        }
    }

    /** The extensions followed by the end marker. */
    static ByteBuffer encodeAll(List<HeaderExtension> extensions) {
        int total = 8;
        for (HeaderExtension e : extensions) {
            total += 8 + ((e.data.length + 7) & ~7);
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.BIG_ENDIAN);
        for (HeaderExtension e : extensions) {
            b.putInt(e.type).putInt(e.data.length).put(e.data);
            b.position(b.position() + ((8 - e.data.length % 8) % 8));
        }
        b.putInt(Type.END.wire).putInt(0);
        return b.flip();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderExtension other && other.type == type && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(data);
    }
}

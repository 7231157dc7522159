package io.platter.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.reflect.RecordComponent;
import java.util.HexFormat;

/** Test helpers for PDU bytes: hex vectors, pooled buffers, encoding, field-by-field comparison. */
public final class Wire {
    private Wire() {
    }

    /** Bytes of a hex string; whitespace and '_' are ignored. */
    public static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("[\\s_]", ""));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** A pooled direct buffer (leak-tracked) holding {@code bytes}; the caller owns it. */
    public static ByteBuf pooled(byte[] bytes) {
        return pooled(bytes, 0, bytes.length);
    }

    public static ByteBuf pooled(byte[] bytes, int from, int to) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, to - from));
        buf.writeBytes(bytes, from, to - from);
        return buf;
    }

    /** A data segment for a record under test (unpooled copy; the encoder releases it). */
    public static ByteBuf data(byte[] bytes) {
        return bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes.clone());
    }

    /** Encodes {@code pdu} (consuming its data) and returns the bytes on the wire. */
    public static byte[] encode(Pdu pdu, boolean headerDigest, boolean dataDigest) {
        ByteBuf out = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, headerDigest, dataDigest);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Asserts every record component of {@code actual} equals {@code expected}'s (buffers by content). */
    public static void assertPduEquals(Pdu actual, Pdu expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            if (c.getName().equals("receivedBhs")) {
                continue; // the bytes a PDU arrived with, checked where it is decoded
            }
            Object a = get(c, actual);
            Object e = get(c, expected);
            String what = expected.getClass().getSimpleName() + "." + c.getName();
            if (e instanceof ByteBuf eb) {
                assertThat(ByteBufUtil.getBytes((ByteBuf) a)).as(what).isEqualTo(ByteBufUtil.getBytes(eb));
            } else if (e instanceof byte[] eb) {
                assertThat((byte[]) a).as(what).isEqualTo(eb);
            } else {
                assertThat(a).as(what).isEqualTo(e);
            }
        }
        assertThat(actual.immediate()).as("immediate").isEqualTo(expected.immediate());
        assertThat(actual.opcode()).isEqualTo(expected.opcode());
        assertThat(ByteBufUtil.getBytes(actual.data())).as("data")
                .isEqualTo(ByteBufUtil.getBytes(expected.data()));
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Bit-by-bit CRC32C (Castagnoli, reflected 0x82F63B78), an oracle independent of {@link Digests}. */
    public static long crc32c(byte[] bytes) {
        int crc = 0xffffffff;
        for (byte b : bytes) {
            crc ^= b & 0xff;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
            }
        }
        return ~crc & 0xffffffffL;
    }

    /** The 4 digest bytes as they go on the wire (RFC 3720 B.4 order: least significant first). */
    public static byte[] digestBytes(byte[] covered) {
        long crc = crc32c(covered);
        return new byte[] {(byte) crc, (byte) (crc >>> 8), (byte) (crc >>> 16), (byte) (crc >>> 24)};
    }
}

package io.platter.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.iscsi.pdu.GoldenVectors.Vector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden vectors of every PDU type (RFC 7143 §11): decode, encode, and framing on a split stream. */
class PduGoldenTest {
    private static final int MAX = 16_777_215;

    static List<Vector> vectors() {
        return GoldenVectors.all();
    }

    @Test
    void everyOpcodeHasAVector() {
        Set<Opcode> covered = vectors().stream().map(v -> {
            Pdu pdu = v.expected().get();
            pdu.release();
            return pdu.opcode();
        }).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Opcode.class));
        assertThat(Opcode.values()).hasSize(18);
    }

    @Test
    void crcOracleMatchesRfc3720AppendixB4() {
        assertThat(Wire.hex(Wire.digestBytes(new byte[32]))).isEqualTo("aa36918a");
        assertThat(Wire.hex(Wire.digestBytes(Wire.hex("ff".repeat(32))))).isEqualTo("43aba862");
        byte[] incrementing = new byte[32];
        for (int i = 0; i < 32; i++) {
            incrementing[i] = (byte) i;
        }
        assertThat(Wire.hex(Wire.digestBytes(incrementing))).isEqualTo("4e79dd46");
        ByteBuf zeros = Wire.pooled(new byte[32]);
        try {
            // Digests.crc32c returns the value to write with writeInt: the wire bytes in order.
            assertThat(Digests.crc32c(zeros, 0, 32, 0)).isEqualTo(0xaa36918a);
            assertThat(Digests.crc32c(zeros, 0, 29, 3)).isEqualTo(0xaa36918a);
        } finally {
            zeros.release();
        }
    }

    @Test
    void paddingRoundsUpToFourBytes() {
        assertThat(Digests.padding(0)).isZero();
        assertThat(Digests.padding(1)).isEqualTo(3);
        assertThat(Digests.padding(2)).isEqualTo(2);
        assertThat(Digests.padding(3)).isEqualTo(1);
        assertThat(Digests.padding(4)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesEveryField(Vector v) throws ProtocolException {
        ByteBuf in = Wire.pooled(v.wire());
        Pdu expected = v.expected().get();
        try {
            Pdu pdu = PduDecoder.decodeOne(in, v.headerDigest(), v.dataDigest(), MAX);
            try {
                Wire.assertPduEquals(pdu, expected);
            } finally {
                pdu.release();
            }
            assertThat(in.readableBytes()).as("consumed the whole PDU").isZero();
        } finally {
            in.release();
            expected.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesToTheVector(Vector v) {
        byte[] wire = Wire.encode(v.expected().get(), v.headerDigest(), v.dataDigest());
        assertThat(Wire.hex(wire)).isEqualTo(Wire.hex(v.wire()));
    }

    /**
     * The channel encoder writes the header, the PDU's own data buffer (not a copy) and the
     * padding/digest as separate buffers; on the wire they are the vector's bytes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void writtenThroughTheChannelAsHeaderPayloadAndTrailer(Vector v) {
        EmbeddedChannel ch = new EmbeddedChannel(new PduEncoder());
        ch.attr(PduEncoder.DIGESTS).set(new boolean[] {v.headerDigest(), v.dataDigest()});
        Pdu pdu = v.expected().get();
        ByteBuf payload = pdu.data();
        boolean hasData = payload.isReadable();
        ch.writeOutbound(pdu);
        List<ByteBuf> parts = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            parts.add((ByteBuf) o);
        }
        try {
            if (hasData) {
                assertThat(parts.size()).isBetween(2, 3);
                assertThat(parts.get(1)).as("the payload itself").isSameAs(payload);
            } else {
                assertThat(parts).hasSize(1);
            }
            java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
            for (ByteBuf b : parts) {
                wire.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(b));
            }
            assertThat(Wire.hex(wire.toByteArray())).isEqualTo(Wire.hex(v.wire()));
        } finally {
            parts.forEach(ByteBuf::release);
        }
        assertThat(ch.finish()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void incompleteInputConsumesNothing(Vector v) throws ProtocolException {
        for (int n = 0; n < v.wire().length; n++) {
            ByteBuf in = Wire.pooled(v.wire(), 0, n);
            try {
                assertThat(PduDecoder.decodeOne(in, v.headerDigest(), v.dataDigest(), MAX)).as("prefix %d", n).isNull();
                assertThat(in.readableBytes()).isEqualTo(n);
            } finally {
                in.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void fedWholeThroughTheChannel(Vector v) {
        // Two copies in one write: the framing must consume exactly one PDU each time.
        assertDecodes(v, List.of(Wire.concat(v.wire(), v.wire())), 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void fedByteByByte(Vector v) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : v.wire()) {
            chunks.add(new byte[] {b});
        }
        assertDecodes(v, chunks, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void splitAtEveryBoundary(Vector v) {
        byte[] twice = Wire.concat(v.wire(), v.wire());
        for (int at = 1; at < twice.length; at++) {
            assertDecodes(v, List.of(java.util.Arrays.copyOfRange(twice, 0, at),
                    java.util.Arrays.copyOfRange(twice, at, twice.length)), 2);
        }
    }

    private static void assertDecodes(Vector v, List<byte[]> chunks, int copies) {
        PduDecoder decoder = new PduDecoder();
        decoder.configure(v.headerDigest(), v.dataDigest(), MAX);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        for (byte[] chunk : chunks) {
            ch.writeInbound(Wire.pooled(chunk));
        }
        for (int i = 0; i < copies; i++) {
            Pdu pdu = ch.readInbound();
            Pdu expected = v.expected().get();
            try {
                Wire.assertPduEquals(pdu, expected);
            } finally {
                if (pdu != null) {
                    pdu.release();
                }
                expected.release();
            }
        }
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).as("nothing left behind").isFalse();
    }
}

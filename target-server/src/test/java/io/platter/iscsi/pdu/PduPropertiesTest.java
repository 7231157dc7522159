package io.platter.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the codec: any bytes decode to a PDU, "need more" or a ProtocolException; round trips. */
class PduPropertiesTest {

    @Property(tries = 2000)
    void arbitraryBytesDecodeToAPduNullOrAProtocolException(@ForAll @Size(max = 300) byte[] bytes,
                                                           @ForAll boolean headerDigest, @ForAll boolean dataDigest) {
        decodeAll(bytes, headerDigest, dataDigest, 8192);
    }

    @Property(tries = 3000)
    void bhsShapedInputDecodesToAPduNullOrAProtocolException(@ForAll("bhsShaped") byte[] bytes,
                                                            @ForAll boolean headerDigest, @ForAll boolean dataDigest,
                                                            @ForAll @IntRange(min = 0, max = 600) int max) {
        decodeAll(bytes, headerDigest, dataDigest, max);
    }

    /** A 48-byte header with a real or reserved opcode, small AHS and data lengths, then random bytes. */
    @Provide
    Arbitrary<byte[]> bhsShaped() {
        Arbitrary<byte[]> header = Arbitraries.bytes().array(byte[].class).ofSize(Bhs.SIZE);
        Arbitrary<Integer> opcode = Arbitraries.oneOf(
                Arbitraries.of(Opcode.values()).map(Opcode::code), Arbitraries.integers().between(0, 63));
        Arbitrary<Integer> ahsWords = Arbitraries.integers().between(0, 8);
        Arbitrary<Integer> dataLength = Arbitraries.integers().between(0, 600);
        Arbitrary<byte[]> tail = Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
        Arbitrary<Boolean> extendedCdb = Arbitraries.of(true, false);
        return Combinators.combine(header, opcode, ahsWords, dataLength, tail, extendedCdb)
                .as((h, op, ahs, len, t, ext) -> {
                    h[0] = (byte) ((h[0] & 0x40) | op);
                    h[4] = (byte) (int) ahs;
                    h[5] = 0;
                    h[6] = (byte) (len >> 8);
                    h[7] = (byte) (int) len;
                    if (ext && t.length >= 4) {
                        // Make the AHS look like an Extended CDB header with a random length.
                        t[2] = 1;
                    }
                    return Wire.concat(h, t);
                });
    }

    private static void decodeAll(byte[] bytes, boolean headerDigest, boolean dataDigest, int max) {
        ByteBuf in = Wire.pooled(bytes);
        try {
            while (true) {
                int before = in.readableBytes();
                Pdu pdu;
                try {
                    pdu = PduDecoder.decodeOne(in, headerDigest, dataDigest, max);
                } catch (ProtocolException e) {
                    assertThat(e.reason()).isNotNull();
                    if (e.fatal()) {
                        return;
                    }
                    assertThat(in.readableBytes()).as("a non-fatal error consumes its PDU").isLessThan(before);
                    continue;
                }
                if (pdu == null) {
                    assertThat(in.readableBytes()).as("null consumes nothing").isEqualTo(before);
                    return;
                }
                assertThat(pdu.data()).isNotNull();
                pdu.release();
            }
        } finally {
            in.release();
        }
    }

    @Property(tries = 1500)
    void encodeThenDecodeGivesTheSameRecord(@ForAll Opcode opcode, @ForAll @IntRange(max = 9000) int dataLength,
                                            @ForAll boolean headerDigest, @ForAll boolean dataDigest,
                                            @ForAll long seed) throws ProtocolException {
        Random random = new Random(seed);
        byte[] payload = new byte[opcode == Opcode.READY_TO_TRANSFER ? 0 : dataLength];
        random.nextBytes(payload);
        Pdu original = RandomPdus.create(opcode, new Random(seed), pooledOrEmpty(payload));
        // A twin with its own copy of the data to compare against (the encoder consumes the original).
        Pdu expected = RandomPdus.create(opcode, new Random(seed), Wire.data(payload));
        ByteBuf wire = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, original, headerDigest, dataDigest);
        try {
            int total = wire.readableBytes();
            Pdu decoded = PduDecoder.decodeOne(wire, headerDigest, dataDigest, 16_777_215);
            try {
                Wire.assertPduEquals(decoded, expected);
                assertThat(ByteBufUtil.getBytes(decoded.data())).isEqualTo(payload);
            } finally {
                decoded.release();
            }
            assertThat(wire.readableBytes()).isZero();
            int padded = payload.length + Digests.padding(payload.length);
            int ahs = decodedAhsLength(expected);
            assertThat(total).isEqualTo(Bhs.SIZE + ahs + (headerDigest ? 4 : 0) + padded
                    + (dataDigest && payload.length > 0 ? 4 : 0));
        } finally {
            wire.release();
            expected.release();
        }
    }

    @Property(tries = 300)
    void aStreamOfPdusSplitAnywhereDecodesInOrder(@ForAll @Size(min = 1, max = 6) List<Opcode> opcodes,
                                                  @ForAll long seed, @ForAll boolean digests,
                                                  @ForAll @IntRange(min = 1, max = 700) int chunk) {
        Random random = new Random(seed);
        List<byte[]> payloads = new ArrayList<>();
        List<byte[]> wires = new ArrayList<>();
        for (Opcode op : opcodes) {
            byte[] payload = new byte[op == Opcode.READY_TO_TRANSFER ? 0 : random.nextInt(300)];
            random.nextBytes(payload);
            payloads.add(payload);
            wires.add(Wire.encode(RandomPdus.create(op, new Random(seed + wires.size()), Wire.data(payload)),
                    digests, digests));
        }
        byte[] stream = Wire.concat(wires.toArray(byte[][]::new));
        PduDecoder decoder = new PduDecoder();
        decoder.configure(digests, digests, 16_777_215);
        var ch = new io.netty.channel.embedded.EmbeddedChannel(decoder);
        for (int at = 0; at < stream.length; at += chunk) {
            ch.writeInbound(Wire.pooled(stream, at, Math.min(stream.length, at + chunk)));
        }
        for (int i = 0; i < opcodes.size(); i++) {
            Pdu pdu = ch.readInbound();
            Pdu expected = RandomPdus.create(opcodes.get(i), new Random(seed + i), Wire.data(payloads.get(i)));
            try {
                Wire.assertPduEquals(pdu, expected);
            } finally {
                pdu.release();
                expected.release();
            }
        }
        assertThat(ch.finish()).isFalse();
    }

    private static int decodedAhsLength(Pdu pdu) {
        ByteBuf ahs = pdu.ahs();
        try {
            return ahs.readableBytes();
        } finally {
            ahs.release();
        }
    }

    private static ByteBuf pooledOrEmpty(byte[] payload) {
        return payload.length == 0 ? io.netty.buffer.Unpooled.EMPTY_BUFFER : Wire.pooled(payload);
    }
}

package io.platter.iscsi.pdu;

import static io.platter.iscsi.pdu.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Framing errors (RFC 7143 §7.8, §11.2, §11.17): which are fatal and what the stream does after. */
class PduDecoderErrorsTest {
    private static final int MAX = 8192;

    /** A NOP-Out BHS whose opcode byte is the reserved code 0x1c (RFC 7143 §11.2.1.2), 3 bytes of data. */
    static final String UNKNOWN_OPCODE = ""
            + "1c"                                  // 0: opcode 0x1c, not assigned
            + "80" + "0000"                         // 1-3
            + "00" + "000003"                       // 4-7: TotalAHSLength 0, DataSegmentLength 3
            + "0000000000000000"                    // 8-15
            + "00000077" + "ffffffff"               // 16-23
            + "00000030" + "0000000d"               // 24-31
            + "00000000000000000000000000000000"    // 32-47
            + "010203" + "00";                      // data + 1 pad byte

    @Test
    void wrongHeaderDigestIsFatal() {
        byte[] wire = hex(GoldenVectors.READ10_WITH_HEADER_DIGEST);
        wire[wire.length - 1] ^= 1;
        ByteBuf in = Wire.pooled(wire);
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class,
                    () -> PduDecoder.decodeOne(in, true, false, MAX));
            assertThat(e.fatal()).isTrue();
            assertThat(e.reason()).isEqualTo(RejectReason.PROTOCOL_ERROR);
        } finally {
            in.release();
        }
    }

    @Test
    void wrongHeaderDigestStopsTheStream() {
        byte[] bad = hex(GoldenVectors.READ10_WITH_HEADER_DIGEST);
        bad[20] ^= 0x40; // a flipped bit in the header
        PduDecoder decoder = new PduDecoder();
        decoder.configure(true, false, MAX);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        Throwable thrown = catchThrowableOfType(PduDecoder.PduDecodingException.class, () -> ch.writeInbound(
                Wire.pooled(Wire.concat(bad, hex(GoldenVectors.READ10_WITH_HEADER_DIGEST)))));
        assertThat(((PduDecoder.PduDecodingException) thrown).protocolException().fatal()).isTrue();
        // Nothing after a corrupt header can be framed: even a valid PDU is dropped.
        ch.writeInbound(Wire.pooled(hex(GoldenVectors.READ10_WITH_HEADER_DIGEST)));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void wrongDataDigestRejectsOnlyThatPdu() throws ProtocolException {
        byte[] bad = hex(GoldenVectors.NOP_OUT_ZEROS_WITH_DATA_DIGEST);
        bad[bad.length - 1] ^= 1;
        byte[] good = hex(GoldenVectors.NOP_OUT_ZEROS_WITH_DATA_DIGEST);
        ByteBuf in = Wire.pooled(Wire.concat(bad, good));
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class,
                    () -> PduDecoder.decodeOne(in, false, true, MAX));
            assertThat(e.fatal()).isFalse();
            assertThat(e.reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR);
            assertThat(e.rejectedHeader()).isEqualTo(Arrays.copyOf(bad, 48));
            assertThat(in.readableBytes()).as("exactly the bad PDU consumed").isEqualTo(good.length);
            Pdu next = PduDecoder.decodeOne(in, false, true, MAX);
            assertThat(next).isInstanceOf(NopOut.class);
            next.release();
        } finally {
            in.release();
        }
    }

    @Test
    void corruptDataUnderDataDigestIsDetected() {
        byte[] bad = hex(GoldenVectors.NOP_OUT_ZEROS_WITH_DATA_DIGEST);
        bad[48 + 7] = 1;
        ByteBuf in = Wire.pooled(bad);
        try {
            assertThatThrownBy(() -> PduDecoder.decodeOne(in, false, true, MAX))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR));
        } finally {
            in.release();
        }
    }

    @Test
    void unknownOpcodeIsRejectedAndTheStreamContinues() {
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder());
        byte[] stream = Wire.concat(hex(UNKNOWN_OPCODE), hex(GoldenVectors.NOP_OUT));
        Throwable thrown = catchThrowableOfType(PduDecoder.PduDecodingException.class,
                () -> ch.writeInbound(Wire.pooled(stream)));
        ProtocolException e = ((PduDecoder.PduDecodingException) thrown).protocolException();
        assertThat(e.fatal()).isFalse();
        assertThat(e.reason()).isEqualTo(RejectReason.COMMAND_NOT_SUPPORTED);
        assertThat(e.rejectedHeader()).isEqualTo(Arrays.copyOf(hex(UNKNOWN_OPCODE), 48));
        // The NOP-Out that arrived in the same read is delivered without waiting for more bytes.
        Pdu next = ch.readInbound();
        assertThat(next).isInstanceOf(NopOut.class);
        next.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void unknownOpcodeConsumesExactlyItsPdu() throws ProtocolException {
        ByteBuf in = Wire.pooled(Wire.concat(hex(UNKNOWN_OPCODE), hex(GoldenVectors.NOP_OUT)));
        try {
            assertThatThrownBy(() -> PduDecoder.decodeOne(in, false, false, MAX))
                    .isInstanceOf(ProtocolException.class);
            assertThat(in.readableBytes()).isEqualTo(hex(GoldenVectors.NOP_OUT).length);
            Pdu next = PduDecoder.decodeOne(in, false, false, MAX);
            assertThat(next.opcode()).isEqualTo(Opcode.NOP_OUT);
            next.release();
        } finally {
            in.release();
        }
    }

    @Test
    void dataSegmentOverTheLimitIsFatalBeforeTheDataArrives() {
        // Only the BHS has arrived: DataSegmentLength 8193 exceeds 8192 and is refused at once.
        byte[] bhs = hex(GoldenVectors.NOP_OUT.substring(0, 96));
        bhs[5] = 0;
        bhs[6] = 0x20;
        bhs[7] = 0x01;
        ByteBuf in = Wire.pooled(bhs);
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class,
                    () -> PduDecoder.decodeOne(in, false, false, 8192));
            assertThat(e.fatal()).isTrue();
            assertThat(e.reason()).isEqualTo(RejectReason.PROTOCOL_ERROR);
        } finally {
            in.release();
        }
    }

    @Test
    void dataSegmentAtTheLimitIsAccepted() throws ProtocolException {
        byte[] bhs = hex(GoldenVectors.NOP_OUT.substring(0, 96));
        bhs[5] = 0;
        bhs[6] = 0x20;
        bhs[7] = 0x00;
        ByteBuf in = Wire.pooled(Wire.concat(bhs, new byte[8192]));
        try {
            Pdu pdu = PduDecoder.decodeOne(in, false, false, 8192);
            assertThat(pdu.data().readableBytes()).isEqualTo(8192);
            pdu.release();
        } finally {
            in.release();
        }
    }

    @Test
    void dataSegmentOverTheLimitClosesTheChannelStream() {
        byte[] bhs = hex(GoldenVectors.NOP_OUT.substring(0, 96));
        bhs[6] = 0x40; // 16384 bytes
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Wire.pooled(bhs)))
                .isInstanceOfSatisfying(PduDecoder.PduDecodingException.class,
                        e -> assertThat(e.protocolException().fatal()).isTrue());
        ch.writeInbound(Wire.pooled(hex(GoldenVectors.NOP_OUT)));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void truncatedAhsIsAFormatError() {
        // An AHS whose AHSLength runs past TotalAHSLength (RFC 7143 §11.2.2) is a format error
        // (§7.7): rejected with its header, and the connection closes.
        byte[] wire = hex(GoldenVectors.SCSI_COMMAND_EXTENDED_CDB);
        wire[48] = 0;
        wire[49] = 0x40;
        ByteBuf in = Wire.pooled(wire);
        try {
            assertThatThrownBy(() -> PduDecoder.decodeOne(in, false, false, MAX))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.fatal()).isTrue();
                        assertThat(e.rejectedHeader()).hasSize(48);
                    });
            assertThat(in.readableBytes()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void headerDigestMustMatchTheRfcVectorExactly() throws ProtocolException {
        // The same READ(10) without its digest would be read as garbage when digests are on.
        ByteBuf in = Wire.pooled(hex(GoldenVectors.READ10_WITH_HEADER_DIGEST.substring(0, 96)));
        try {
            assertThat(PduDecoder.decodeOne(in, true, false, MAX)).isNull();
        } finally {
            in.release();
        }
    }
}

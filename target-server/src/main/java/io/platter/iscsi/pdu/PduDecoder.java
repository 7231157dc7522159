package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.platter.scsi.InternalErrors;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames iSCSI PDUs on a TCP byte stream (RFC 7143 §11.2): BHS, AHS, header digest, data
 * segment with padding, data digest. Emits {@link Pdu}s whose data segment is a retained slice of
 * the input (never copied); a violation throws a {@link ProtocolException} wrapped in a
 * {@link PduDecodingException} for the connection to convert once.
 *
 * <p>Confined to the channel's event loop: {@link #configure} is called from that loop.
 */
public final class PduDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(PduDecoder.class);

    /** Largest data segment accepted before login negotiates one (RFC 7143 §13.12: 8192). */
    public static final int LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;

    private boolean headerDigest;
    private boolean dataDigest;
    private int maxDataSegmentLength = LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH;
    private boolean failed;

    /** Applies negotiated parameters to every PDU after the current one. */
    public void configure(boolean headerDigest, boolean dataDigest, int maxDataSegmentLength) {
        this.headerDigest = headerDigest;
        this.dataDigest = dataDigest;
        this.maxDataSegmentLength = maxDataSegmentLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        Pdu pdu;
        try {
            pdu = decodeOne(in, headerDigest, dataDigest, maxDataSegmentLength);
        } catch (ProtocolException e) {
            if (!e.fatal()) {
                // The offending PDU is consumed: report it and keep framing the PDUs behind it
                // in this read (throwing would park them in the cumulation until more bytes come).
                ctx.fireExceptionCaught(new PduDecodingException(e));
                return;
            }
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new PduDecodingException(e);
        }
        if (pdu != null) {
            out.add(pdu);
        }
    }

    /**
     * Decodes one PDU from {@code in} if it is complete, else returns {@code null} and consumes
     * nothing. A non-fatal exception has consumed exactly the offending PDU.
     */
    public static Pdu decodeOne(ByteBuf in, boolean headerDigest, boolean dataDigest, int maxDataSegmentLength)
            throws ProtocolException {
        if (in.readableBytes() < Bhs.SIZE) {
            return null;
        }
        Bhs bhs = Bhs.at(in);
        int ahsLength = bhs.totalAhsBytes();
        int dataLength = bhs.dataSegmentLength();
        if (dataLength > maxDataSegmentLength) {
            throw ProtocolException.formatError(RejectReason.PROTOCOL_ERROR, "data segment of " + dataLength
                    + " bytes exceeds MaxRecvDataSegmentLength " + maxDataSegmentLength, in);
        }
        int headerDigestLength = headerDigest ? 4 : 0;
        int padded = dataLength + Digests.padding(dataLength);
        int dataDigestLength = dataDigest && dataLength > 0 ? 4 : 0;
        int total = Bhs.SIZE + ahsLength + headerDigestLength + padded + dataDigestLength;
        if (in.readableBytes() < total) {
            return null;
        }
        int start = in.readerIndex();
        if (headerDigest) {
            int expected = Digests.crc32c(in, start, Bhs.SIZE + ahsLength, 0);
            if (expected != in.getInt(start + Bhs.SIZE + ahsLength)) {
                // RFC 7143 §7.8: the header cannot be trusted, so neither can the framing.
                throw ProtocolException.formatError(RejectReason.PROTOCOL_ERROR, "header digest error", in);
            }
        }
        Opcode opcode = Opcode.of(bhs.opcodeCode());
        int dataStart = start + Bhs.SIZE + ahsLength + headerDigestLength;
        if (dataDigestLength > 0) {
            int expected = Digests.crc32c(in, dataStart, dataLength, padded - dataLength);
            if (expected != in.getInt(dataStart + padded)) {
                ProtocolException e = ProtocolException.reject(RejectReason.DATA_DIGEST_ERROR,
                        "data digest error", in);
                in.skipBytes(total);
                throw e;
            }
        }
        if (opcode == null) {
            ProtocolException e = ProtocolException.reject(RejectReason.COMMAND_NOT_SUPPORTED,
                    "unknown opcode 0x" + Integer.toHexString(bhs.opcodeCode()), in);
            in.skipBytes(total);
            throw e;
        }
        ByteBuf ahs = ahsLength == 0 ? null : in.slice(start + Bhs.SIZE, ahsLength);
        // The received header is kept for a Reject (RFC 7143 §11.17) without a copy of the data:
        // with a data segment, one retained slice spans header to data and both are views of it (one
        // reference count, released with the data); without one, the 48 bytes are copied, since a
        // view would pin the receive buffer as long as the PDU lives (a READ, until it completes).
        ByteBuf data;
        ByteBuf received;
        if (dataLength == 0) {
            data = Unpooled.EMPTY_BUFFER;
            received = Unpooled.wrappedBuffer(header(in));
        } else {
            ByteBuf frame = in.retainedSlice(start, dataStart - start + dataLength);
            data = frame.slice(dataStart - start, dataLength);
            received = frame.slice(0, Bhs.SIZE);
        }
        try {
            Pdu pdu = opcode.decoder().decode(bhs, new Opcode.ByteBufHolder(data, ahs, received));
            in.skipBytes(total);
            return pdu;
        } catch (ProtocolException | RuntimeException e) {
            data.release();
            ProtocolException rejected = e instanceof ProtocolException pe ? pe
                    : ProtocolException.reject(RejectReason.INVALID_PDU_FIELD, "malformed " + opcode, in);
            in.skipBytes(total);
            if (rejected != e) {
                // A decoder that throws anything but ProtocolException has a bug: the input is refused
                // all the same (the Reject carries its header, RFC 7143 §11.17), and the bug is counted.
                InternalErrors.record(LOG, "decoding " + opcode, e);
            }
            throw rejected;
        }
    }

    private static byte[] header(ByteBuf in) {
        byte[] header = new byte[Bhs.SIZE];
        in.getBytes(in.readerIndex(), header);
        return header;
    }

    /** Carries a {@link ProtocolException} through Netty's exception path. */
    public static final class PduDecodingException extends io.netty.handler.codec.DecoderException {
        private final ProtocolException protocolException;

        PduDecodingException(ProtocolException cause) {
            super(cause.getMessage(), cause);
            this.protocolException = cause;
        }

        public ProtocolException protocolException() {
            return protocolException;
        }
    }
}

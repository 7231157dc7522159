package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Writes {@link Pdu}s (RFC 7143 §11.2): a small header buffer (BHS, AHS, header digest) followed
 * by the PDU's data segment as is, then its padding and data digest: written into the channel as
 * up to three buffers (gathered by the socket write), or returned by {@link #encode} as one
 * composite buffer; the payload is never copied. Takes ownership of the PDU's data.
 */
@ChannelHandler.Sharable
public final class PduEncoder extends ChannelOutboundHandlerAdapter {

    /** Per-channel digest settings live in the channel's attribute, set after login. */
    public static final io.netty.util.AttributeKey<boolean[]> DIGESTS =
            io.netty.util.AttributeKey.valueOf("platter.digests");

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Pdu pdu)) {
            ctx.write(msg, promise);
            return;
        }
        boolean[] digests = ctx.channel().attr(DIGESTS).get();
        boolean headerDigest = digests != null && digests[0];
        boolean dataDigest = digests != null && digests[1];
        ByteBuf payload = pdu.data();
        ByteBuf head = head(ctx.alloc(), pdu, headerDigest);
        if (!payload.isReadable()) {
            payload.release();
            ctx.write(head, promise);
            return;
        }
        // Three writes the channel gathers into one writev: no composite buffer per PDU.
        ByteBuf trailer = trailer(ctx.alloc(), payload, dataDigest);
        ctx.write(head, ctx.voidPromise());
        if (trailer == null) {
            ctx.write(payload, promise);
        } else {
            ctx.write(payload, ctx.voidPromise());
            ctx.write(trailer, promise);
        }
    }

    /** Encodes {@code pdu} into one buffer; the PDU's data is consumed (released or passed on). */
    public static ByteBuf encode(ByteBufAllocator alloc, Pdu pdu, boolean headerDigest, boolean dataDigest) {
        ByteBuf payload = pdu.data();
        ByteBuf head = head(alloc, pdu, headerDigest);
        if (!payload.isReadable()) {
            payload.release();
            return head;
        }
        ByteBuf trailer = trailer(alloc, payload, dataDigest);
        CompositeByteBuf out = alloc.compositeDirectBuffer(3);
        out.addComponent(true, head);
        out.addComponent(true, payload);
        if (trailer != null) {
            out.addComponent(true, trailer);
        }
        return out;
    }

    /**
     * The 48-byte BHS {@code pdu} is sent with (RFC 7143 §11.2.1), DataSegmentLength included, for
     * a Reject's data segment (§11.17); the PDU and its data stay with the caller.
     */
    public static byte[] header(Pdu pdu) {
        ByteBuf head = head(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, pdu, false);
        try {
            byte[] header = new byte[Bhs.SIZE];
            head.getBytes(0, header);
            return header;
        } finally {
            head.release();
        }
    }

    /** BHS, AHS (consumed) and header digest in one new buffer; the data segment length is the payload's. */
    private static ByteBuf head(ByteBufAllocator alloc, Pdu pdu, boolean headerDigest) {
        ByteBuf ahs = pdu.ahs();
        int ahsLength = ahs.readableBytes();
        ByteBuf head = alloc.directBuffer(Bhs.SIZE + ahsLength + 4);
        head.writeZero(Bhs.SIZE);
        Bhs bhs = new Bhs(head, 0);
        pdu.writeBhs(bhs);
        bhs.opcode(pdu.opcode(), pdu.immediate());
        bhs.lengths(ahsLength, pdu.data().readableBytes());
        head.writeBytes(ahs, ahs.readerIndex(), ahsLength);
        ahs.release();
        if (headerDigest) {
            head.writeInt(Digests.crc32c(head, 0, Bhs.SIZE + ahsLength, 0));
        }
        return head;
    }

    /** The padding and data digest after a non-empty {@code payload}, or null when there is neither. */
    private static ByteBuf trailer(ByteBufAllocator alloc, ByteBuf payload, boolean dataDigest) {
        int dataLength = payload.readableBytes();
        int padding = Digests.padding(dataLength);
        int trailerLength = padding + (dataDigest ? 4 : 0);
        if (trailerLength == 0) {
            return null;
        }
        ByteBuf trailer = alloc.directBuffer(trailerLength);
        trailer.writeZero(padding);
        if (dataDigest) {
            trailer.writeInt(Digests.crc32c(payload, payload.readerIndex(), dataLength, padding));
        }
        return trailer;
    }
}

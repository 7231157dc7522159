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
 * by the PDU's data segment as is, its padding and data digest, gathered in one composite
 * buffer so the payload is never copied. Takes ownership of the PDU's data.
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
        boolean header = digests != null && digests[0];
        boolean data = digests != null && digests[1];
        ctx.write(encode(ctx.alloc(), pdu, header, data), promise);
    }

    /** Encodes {@code pdu} into one buffer; the PDU's data is consumed (released or passed on). */
    public static ByteBuf encode(ByteBufAllocator alloc, Pdu pdu, boolean headerDigest, boolean dataDigest) {
        ByteBuf payload = pdu.data();
        ByteBuf ahs = pdu.ahs();
        int dataLength = payload.readableBytes();
        int ahsLength = ahs.readableBytes();
        int padding = Digests.padding(dataLength);
        boolean withDataDigest = dataDigest && dataLength > 0;
        ByteBuf head = alloc.directBuffer(Bhs.SIZE + ahsLength + 4);
        head.writeZero(Bhs.SIZE);
        Bhs bhs = new Bhs(head, 0);
        pdu.writeBhs(bhs);
        bhs.opcode(pdu.opcode(), pdu.immediate());
        bhs.lengths(ahsLength, dataLength);
        head.writeBytes(ahs, ahs.readerIndex(), ahsLength);
        ahs.release();
        if (headerDigest) {
            head.writeInt(Digests.crc32c(head, 0, Bhs.SIZE + ahsLength, 0));
        }
        if (dataLength == 0) {
            payload.release();
            return head;
        }
        int trailerLength = padding + (withDataDigest ? 4 : 0);
        CompositeByteBuf out = alloc.compositeDirectBuffer(3);
        out.addComponent(true, head);
        out.addComponent(true, payload);
        if (trailerLength > 0) {
            ByteBuf trailer = alloc.directBuffer(trailerLength);
            trailer.writeZero(padding);
            if (withDataDigest) {
                trailer.writeInt(Digests.crc32c(payload, payload.readerIndex(), dataLength, padding));
            }
            out.addComponent(true, trailer);
        }
        return out;
    }
}

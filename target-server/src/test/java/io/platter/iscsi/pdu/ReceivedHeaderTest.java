package io.platter.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A decoded PDU keeps the 48 header bytes it arrived with (for a Reject, RFC 7143 §11.17),
 * reserved bits included, and the header of a PDU with data lives exactly as long as its data.
 */
class ReceivedHeaderTest {

    private static Pdu decode(ByteBuf wire) throws ProtocolException {
        try {
            return PduDecoder.decodeOne(wire, false, false, 1 << 20);
        } finally {
            wire.release();
        }
    }

    private static ByteBuf marked(Pdu pdu) {
        ByteBuf wire = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false);
        wire.setByte(2, 0x5a); // reserved in both PDUs below
        return wire;
    }

    @Test
    void pduWithoutDataKeepsACopyOfItsHeader() throws ProtocolException {
        ByteBuf wire = marked(new NopOut(false, 0, 7, Bhs.RESERVED_TAG, 3, 0, Unpooled.EMPTY_BUFFER));
        byte[] sent = Arrays.copyOf(ByteBufUtil.getBytes(wire), Bhs.SIZE);
        Pdu pdu = decode(wire);
        assertThat(ByteBufUtil.getBytes(pdu.receivedBhs())).isEqualTo(sent);
        pdu.release();
    }

    @Test
    void pduWithDataKeepsItsHeaderAsAViewThatGoesWithTheData() throws ProtocolException {
        ByteBuf wire = marked(new DataOut(true, 0, 0x7777, Bhs.RESERVED_TAG, 0, 0, 0,
                Unpooled.wrappedBuffer(new byte[512])));
        byte[] sent = Arrays.copyOf(ByteBufUtil.getBytes(wire), Bhs.SIZE);
        Pdu pdu = decode(wire);
        assertThat(ByteBufUtil.getBytes(pdu.receivedBhs())).isEqualTo(sent);
        assertThat(pdu.data().readableBytes()).isEqualTo(512);
        assertThat(pdu.receivedBhs().refCnt()).as("shares the data's reference count").isEqualTo(pdu.refCnt());
        assertThat(pdu.release()).isTrue();
        assertThat(pdu.receivedBhs().refCnt()).isZero();
    }

    @Test
    void rejectionCopiesTheHeaderSoThePduMayBeReleasedAtOnce() throws ProtocolException {
        ByteBuf wire = marked(new DataOut(true, 0, 0x7777, Bhs.RESERVED_TAG, 0, 0, 0,
                Unpooled.wrappedBuffer(new byte[64])));
        byte[] sent = Arrays.copyOf(ByteBufUtil.getBytes(wire), Bhs.SIZE);
        Pdu pdu = decode(wire);
        ProtocolException e = ProtocolException.rejecting(RejectReason.INVALID_PDU_FIELD, "test", pdu);
        pdu.release();
        assertThat(e.rejectedHeader()).isEqualTo(sent);
        assertThat(e.fatal()).isFalse();
    }
}

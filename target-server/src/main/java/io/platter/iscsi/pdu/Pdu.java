package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One iSCSI PDU (RFC 7143 §11). A PDU owns its data segment: whoever holds a PDU releases it
 * exactly once with {@link #release()} or by passing it on (the encoder releases what it writes).
 * Its reference count is its data segment's, so Netty's own release paths (a message no handler
 * took, {@code ReferenceCountUtil}, {@code EmbeddedChannel.finishAndReleaseAll}) apply to PDUs.
 */
public sealed interface Pdu extends ReferenceCounted permits NopOut, ScsiCommandPdu, TaskManagementRequest,
                LoginRequest,
        TextRequest, DataOut, LogoutRequest, SnackRequest, NopIn, ScsiResponsePdu,
        TaskManagementResponse, LoginResponse, TextResponse, DataIn, LogoutResponse,
        ReadyToTransfer, AsyncMessage, Reject {

    Opcode opcode();

    /** The data segment (never null; empty when there is none). */
    ByteBuf data();

    /**
     * The 48 header bytes this PDU arrived with (RFC 7143 §11.2.1), for the data segment of a Reject
     * (§11.17), or {@code null} for a PDU built here. A view valid while the PDU is unreleased: it
     * shares the data segment's reference count (a PDU without data holds a small copy), so it is
     * never released on its own. {@link ProtocolException#rejecting} copies it when a reject happens.
     */
    ByteBuf receivedBhs();

    /** Additional header segments (RFC 7143 §11.2.2) to send; empty for all but long CDBs. */
    default ByteBuf ahs() {
        return io.netty.buffer.Unpooled.EMPTY_BUFFER;
    }

    /** Writes every BHS field except the opcode byte's opcode and the two length fields. */
    void writeBhs(Bhs bhs);

    /** Whether the I bit is set. */
    default boolean immediate() {
        return false;
    }

    @Override
    default int refCnt() {
        return data().refCnt();
    }

    @Override
    default Pdu retain() {
        data().retain();
        return this;
    }

    @Override
    default Pdu retain(int increment) {
        data().retain(increment);
        return this;
    }

    @Override
    default Pdu touch() {
        data().touch();
        return this;
    }

    @Override
    default Pdu touch(Object hint) {
        data().touch(hint);
        return this;
    }

    @Override
    default boolean release() {
        return data().release();
    }

    @Override
    default boolean release(int decrement) {
        return data().release(decrement);
    }
}

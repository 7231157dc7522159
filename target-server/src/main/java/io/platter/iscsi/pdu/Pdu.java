package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * One iSCSI PDU (RFC 7143 §11). A PDU owns its data segment: whoever holds a PDU releases it
 * exactly once with {@link #release()} or by passing it on (the encoder releases what it writes).
 */
public sealed interface Pdu permits NopOut, ScsiCommandPdu, TaskManagementRequest, LoginRequest,
        TextRequest, DataOut, LogoutRequest, SnackRequest, NopIn, ScsiResponsePdu,
        TaskManagementResponse, LoginResponse, TextResponse, DataIn, LogoutResponse,
        ReadyToTransfer, AsyncMessage, Reject {

    Opcode opcode();

    /** The data segment (never null; empty when there is none). */
    ByteBuf data();

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

    default void release() {
        data().release();
    }
}

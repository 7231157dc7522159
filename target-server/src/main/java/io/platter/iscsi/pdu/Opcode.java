package io.platter.iscsi.pdu;

/** iSCSI opcodes (RFC 7143 §11.2.1.2) with the decoder of each PDU type. */
public enum Opcode {
    NOP_OUT(0x00, true, NopOut::decode),
    SCSI_COMMAND(0x01, true, ScsiCommandPdu::decode),
    TASK_MANAGEMENT_REQUEST(0x02, true, TaskManagementRequest::decode),
    LOGIN_REQUEST(0x03, true, LoginRequest::decode),
    TEXT_REQUEST(0x04, true, TextRequest::decode),
    DATA_OUT(0x05, true, DataOut::decode),
    LOGOUT_REQUEST(0x06, true, LogoutRequest::decode),
    SNACK_REQUEST(0x10, true, SnackRequest::decode),
    NOP_IN(0x20, false, NopIn::decode),
    SCSI_RESPONSE(0x21, false, ScsiResponsePdu::decode),
    TASK_MANAGEMENT_RESPONSE(0x22, false, TaskManagementResponse::decode),
    LOGIN_RESPONSE(0x23, false, LoginResponse::decode),
    TEXT_RESPONSE(0x24, false, TextResponse::decode),
    DATA_IN(0x25, false, DataIn::decode),
    LOGOUT_RESPONSE(0x26, false, LogoutResponse::decode),
    READY_TO_TRANSFER(0x31, false, ReadyToTransfer::decode),
    ASYNC_MESSAGE(0x32, false, AsyncMessage::decode),
    REJECT(0x3f, false, Reject::decode);

    /** Builds a PDU from its BHS (48 bytes, read absolutely from its reader index) and data. */
    @FunctionalInterface
    interface Decoder {
        Pdu decode(Bhs bhs, ByteBufHolder data) throws ProtocolException;
    }

    /**
     * The data segment handed to a decoder; the decoder takes ownership of {@code data}.
     * {@code receivedBhs} is the PDU's 48 header bytes, a view sharing {@code data}'s reference count
     * (or a copy when there is no data segment), or {@code null} for tests that decode without one.
     */
    record ByteBufHolder(io.netty.buffer.ByteBuf data, io.netty.buffer.ByteBuf ahs,
                         io.netty.buffer.ByteBuf receivedBhs) {
    }

    private static final Opcode[] BY_CODE = new Opcode[64];

    static {
        for (Opcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new ExceptionInInitializerError("duplicate opcode " + op.code);
            }
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final boolean initiator;
    private final Decoder decoder;

    Opcode(int code, boolean initiator, Decoder decoder) {
        this.code = code;
        this.initiator = initiator;
        this.decoder = decoder;
    }

    public int code() {
        return code;
    }

    /** Whether initiators send this opcode (targets send the others). */
    public boolean fromInitiator() {
        return initiator;
    }

    Decoder decoder() {
        return decoder;
    }

    /** The opcode for a 6-bit code, or {@code null} for a reserved code. */
    public static Opcode of(int code) {
        return BY_CODE[code & 0x3f];
    }
}

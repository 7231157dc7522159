package io.platter.iscsi.pdu;

/** Reject reasons (RFC 7143 §11.17.1). */
public enum RejectReason {
    DATA_DIGEST_ERROR(0x02),
    SNACK_REJECT(0x03),
    PROTOCOL_ERROR(0x04),
    COMMAND_NOT_SUPPORTED(0x05),
    IMMEDIATE_COMMAND_REJECT(0x06),
    TASK_IN_PROGRESS(0x07),
    INVALID_DATA_ACK(0x08),
    INVALID_PDU_FIELD(0x09),
    LONG_OPERATION_REJECT(0x0a),
    DEPRECATED(0x0b),
    WAITING_FOR_LOGOUT(0x0c);

    private final int wire;

    RejectReason(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static RejectReason of(int wire) {
        for (RejectReason r : values()) {
            if (r.wire == wire) {
                return r;
            }
        }
        return PROTOCOL_ERROR;
    }
}

package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Response (RFC 7143 §11.4). The data segment holds SenseLength (2 bytes) and the sense
 * data when status is CHECK CONDITION.
 */
public record ScsiResponsePdu(int flags, int response, int status, int itt, int snackTag, int statSn,
                              int expCmdSn, int maxCmdSn, int expDataSn, int bidiResidual, int residual,
                              ByteBuf data,
                              ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public ScsiResponsePdu(int flags, int response, int status, int itt, int snackTag, int statSn, int expCmdSn,
                int maxCmdSn, int expDataSn, int bidiResidual, int residual, ByteBuf data) {
        this(flags, response, status, itt, snackTag, statSn, expCmdSn, maxCmdSn, expDataSn, bidiResidual, residual,
                data, null);
    }

    public static final int BIDI_OVERFLOW = 0x10;
    public static final int BIDI_UNDERFLOW = 0x08;
    public static final int OVERFLOW = 0x04;
    public static final int UNDERFLOW = 0x02;

    static ScsiResponsePdu decode(Bhs b, Opcode.ByteBufHolder d) {
        return new ScsiResponsePdu(b.flags() & 0x1e, b.u8(2), b.u8(3), b.itt(), b.i32(20), b.i32(24),
                b.i32(28), b.i32(32), b.i32(36), b.i32(40), b.i32(44), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_RESPONSE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL | flags).u8(2, response).u8(3, status).i32(16, itt).i32(20, snackTag)
                .i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn).i32(36, expDataSn)
                .i32(40, bidiResidual).i32(44, residual);
    }
}

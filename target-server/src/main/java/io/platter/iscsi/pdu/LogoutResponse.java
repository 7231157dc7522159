package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Logout Response (RFC 7143 §11.15). */
public record LogoutResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn, int time2Wait,
                             int time2Retain, ByteBuf data,
                             ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public LogoutResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn, int time2Wait,
                int time2Retain, ByteBuf data) {
        this(response, itt, statSn, expCmdSn, maxCmdSn, time2Wait, time2Retain, data, null);
    }

    public static final int CLOSED = 0;
    public static final int CID_NOT_FOUND = 1;
    public static final int RECOVERY_NOT_SUPPORTED = 2;
    public static final int CLEANUP_FAILED = 3;

    static LogoutResponse decode(Bhs b, Opcode.ByteBufHolder d) {
        return new LogoutResponse(b.u8(2), b.itt(), b.i32(24), b.i32(28), b.i32(32), b.u16(40), b.u16(42),
                d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_RESPONSE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).u8(2, response).i32(16, itt).i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn)
                .u16(40, time2Wait).u16(42, time2Retain);
    }
}

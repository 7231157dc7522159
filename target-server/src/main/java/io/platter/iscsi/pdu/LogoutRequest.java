package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Logout Request (RFC 7143 §11.14). */
public record LogoutRequest(boolean immediate, int reasonCode, int itt, int cid, int cmdSn, int expStatSn,
                            ByteBuf data,
                            ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public LogoutRequest(boolean immediate, int reasonCode, int itt, int cid, int cmdSn, int expStatSn, ByteBuf data) {
        this(immediate, reasonCode, itt, cid, cmdSn, expStatSn, data, null);
    }

    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_CONNECTION_FOR_RECOVERY = 2;

    static LogoutRequest decode(Bhs b, Opcode.ByteBufHolder d) {
        return new LogoutRequest(b.immediate(), b.flags() & 0x7f, b.itt(), b.u16(20), b.i32(24), b.i32(28),
                d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_REQUEST;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL | reasonCode).i32(16, itt).u16(20, cid).i32(24, cmdSn).i32(28, expStatSn);
    }
}

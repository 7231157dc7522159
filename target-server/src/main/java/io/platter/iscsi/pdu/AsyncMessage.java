package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Asynchronous Message (RFC 7143 §11.9). */
public record AsyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int asyncEvent, int asyncVCode,
                           int parameter1, int parameter2, int parameter3, ByteBuf data,
                           ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public AsyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int asyncEvent, int asyncVCode,
                int parameter1, int parameter2, int parameter3, ByteBuf data) {
        this(lun, statSn, expCmdSn, maxCmdSn, asyncEvent, asyncVCode, parameter1, parameter2, parameter3, data, null);
    }

    public static final int LOGOUT_REQUESTED = 1;
    public static final int DROPPING_CONNECTION = 2;
    public static final int DROPPING_ALL_CONNECTIONS = 3;
    public static final int RENEGOTIATE = 4;

    static AsyncMessage decode(Bhs b, Opcode.ByteBufHolder d) {
        return new AsyncMessage(b.lun(), b.i32(24), b.i32(28), b.i32(32), b.u8(36), b.u8(37), b.u16(38),
                b.u16(40), b.u16(42), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.ASYNC_MESSAGE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).i64(8, lun).i32(16, Bhs.RESERVED_TAG).i32(24, statSn).i32(28, expCmdSn)
                .i32(32, maxCmdSn).u8(36, asyncEvent).u8(37, asyncVCode).u16(38, parameter1).u16(40, parameter2)
                .u16(42, parameter3);
    }
}

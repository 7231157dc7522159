package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Reject (RFC 7143 §11.17); the data segment is the header of the rejected PDU. */
public record Reject(int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, ByteBuf data,
                     ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public Reject(int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, ByteBuf data) {
        this(reason, statSn, expCmdSn, maxCmdSn, dataSn, data, null);
    }

    static Reject decode(Bhs b, Opcode.ByteBufHolder d) {
        return new Reject(b.u8(2), b.i32(24), b.i32(28), b.i32(32), b.i32(36), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.REJECT;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).u8(2, reason).i32(16, Bhs.RESERVED_TAG).i32(24, statSn).i32(28, expCmdSn)
                .i32(32, maxCmdSn).i32(36, dataSn);
    }
}

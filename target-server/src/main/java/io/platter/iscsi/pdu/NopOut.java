package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** NOP-Out (RFC 7143 §11.18). */
public record NopOut(boolean immediate, long lun, int itt, int ttt, int cmdSn, int expStatSn, ByteBuf data,
                     ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public NopOut(boolean immediate, long lun, int itt, int ttt, int cmdSn, int expStatSn, ByteBuf data) {
        this(immediate, lun, itt, ttt, cmdSn, expStatSn, data, null);
    }

    static NopOut decode(Bhs b, Opcode.ByteBufHolder d) {
        return new NopOut(b.immediate(), b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.NOP_OUT;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).i64(8, lun).i32(16, itt).i32(20, ttt).i32(24, cmdSn).i32(28, expStatSn);
    }
}

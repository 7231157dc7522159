package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** NOP-In (RFC 7143 §11.19). */
public record NopIn(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, ByteBuf data,
                    ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public NopIn(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, ByteBuf data) {
        this(lun, itt, ttt, statSn, expCmdSn, maxCmdSn, data, null);
    }

    static NopIn decode(Bhs b, Opcode.ByteBufHolder d) {
        return new NopIn(b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28), b.i32(32), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.NOP_IN;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).i64(8, lun).i32(16, itt).i32(20, ttt)
                .i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn);
    }
}

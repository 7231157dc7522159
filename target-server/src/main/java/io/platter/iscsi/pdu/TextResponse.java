package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Text Response (RFC 7143 §11.11). */
public record TextResponse(boolean finalBit, boolean cont, long lun, int itt, int ttt, int statSn,
                           int expCmdSn, int maxCmdSn, ByteBuf data,
                           ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public TextResponse(boolean finalBit, boolean cont, long lun, int itt, int ttt, int statSn, int expCmdSn,
                int maxCmdSn, ByteBuf data) {
        this(finalBit, cont, lun, itt, ttt, statSn, expCmdSn, maxCmdSn, data, null);
    }

    static TextResponse decode(Bhs b, Opcode.ByteBufHolder d) {
        int f = b.flags();
        return new TextResponse((f & Bhs.FINAL) != 0, (f & LoginRequest.CONTINUE) != 0, b.lun(), b.itt(),
                b.i32(20), b.i32(24), b.i32(28), b.i32(32), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.TEXT_RESPONSE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags((finalBit ? Bhs.FINAL : 0) | (cont ? LoginRequest.CONTINUE : 0)).i64(8, lun).i32(16, itt)
                .i32(20, ttt).i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn);
    }
}

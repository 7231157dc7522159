package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Text Request (RFC 7143 §11.10). */
public record TextRequest(boolean immediate, boolean finalBit, boolean cont, long lun, int itt, int ttt,
                          int cmdSn, int expStatSn, ByteBuf data,
                          ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public TextRequest(boolean immediate, boolean finalBit, boolean cont, long lun, int itt, int ttt, int cmdSn,
                int expStatSn, ByteBuf data) {
        this(immediate, finalBit, cont, lun, itt, ttt, cmdSn, expStatSn, data, null);
    }

    static TextRequest decode(Bhs b, Opcode.ByteBufHolder d) {
        int f = b.flags();
        return new TextRequest(b.immediate(), (f & Bhs.FINAL) != 0, (f & LoginRequest.CONTINUE) != 0, b.lun(),
                b.itt(), b.i32(20), b.i32(24), b.i32(28), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.TEXT_REQUEST;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags((finalBit ? Bhs.FINAL : 0) | (cont ? LoginRequest.CONTINUE : 0)).i64(8, lun).i32(16, itt)
                .i32(20, ttt).i32(24, cmdSn).i32(28, expStatSn);
    }
}

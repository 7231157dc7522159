package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Ready To Transfer, R2T (RFC 7143 §11.8). */
public record ReadyToTransfer(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int r2tSn,
                              int bufferOffset, int desiredLength) implements Pdu {

    static ReadyToTransfer decode(Bhs b, Opcode.ByteBufHolder d) {
        d.data().release();
        return new ReadyToTransfer(b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28), b.i32(32), b.i32(36),
                b.i32(40), b.i32(44));
    }

    @Override
    public Opcode opcode() {
        return Opcode.READY_TO_TRANSFER;
    }

    @Override
    public ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).i64(8, lun).i32(16, itt).i32(20, ttt).i32(24, statSn).i32(28, expCmdSn)
                .i32(32, maxCmdSn).i32(36, r2tSn).i32(40, bufferOffset).i32(44, desiredLength);
    }
}

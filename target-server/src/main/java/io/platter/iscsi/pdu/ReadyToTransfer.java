package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Ready To Transfer, R2T (RFC 7143 §11.8). */
public record ReadyToTransfer(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int r2tSn,
                              int bufferOffset, int desiredLength,
                              ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public ReadyToTransfer(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int r2tSn,
                           int bufferOffset, int desiredLength) {
        this(lun, itt, ttt, statSn, expCmdSn, maxCmdSn, r2tSn, bufferOffset, desiredLength, null);
    }

    static ReadyToTransfer decode(Bhs b, Opcode.ByteBufHolder d) {
        // An R2T keeps no data, so its header cannot stay a view of the data it drops: copied (an
        // initiator never sends one; it is only ever rejected).
        ByteBuf received = d.receivedBhs() == null ? null : Unpooled.copiedBuffer(d.receivedBhs());
        d.data().release();
        return new ReadyToTransfer(b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28), b.i32(32), b.i32(36),
                b.i32(40), b.i32(44), received);
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

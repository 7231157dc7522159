package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** SCSI Data-Out (RFC 7143 §11.7.1). */
public record DataOut(boolean finalBit, long lun, int itt, int ttt, int expStatSn, int dataSn, int bufferOffset,
                      ByteBuf data,
                      ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public DataOut(boolean finalBit, long lun, int itt, int ttt, int expStatSn, int dataSn, int bufferOffset,
                ByteBuf data) {
        this(finalBit, lun, itt, ttt, expStatSn, dataSn, bufferOffset, data, null);
    }

    static DataOut decode(Bhs b, Opcode.ByteBufHolder d) {
        return new DataOut(b.finalBit(), b.lun(), b.itt(), b.i32(20), b.i32(28), b.i32(36), b.i32(40), d.data(),
                d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA_OUT;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(finalBit ? Bhs.FINAL : 0).i64(8, lun).i32(16, itt).i32(20, ttt).i32(28, expStatSn)
                .i32(36, dataSn).i32(40, bufferOffset);
    }
}

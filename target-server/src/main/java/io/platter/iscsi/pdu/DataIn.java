package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** SCSI Data-In (RFC 7143 §11.7); with the S bit it carries the command's status. */
public record DataIn(int flags, int status, long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn,
                     int dataSn, int bufferOffset, int residual, ByteBuf data,
                     ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public DataIn(int flags, int status, long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn,
                int dataSn, int bufferOffset, int residual, ByteBuf data) {
        this(flags, status, lun, itt, ttt, statSn, expCmdSn, maxCmdSn, dataSn, bufferOffset, residual, data, null);
    }

    public static final int ACKNOWLEDGE = 0x40;
    public static final int OVERFLOW = 0x04;
    public static final int UNDERFLOW = 0x02;
    public static final int STATUS = 0x01;

    static DataIn decode(Bhs b, Opcode.ByteBufHolder d) {
        return new DataIn(b.flags(), b.u8(3), b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28), b.i32(32),
                b.i32(36), b.i32(40), b.i32(44), d.data(), d.receivedBhs());
    }

    public boolean hasStatus() {
        return (flags & STATUS) != 0;
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA_IN;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(flags).u8(3, status).i64(8, lun).i32(16, itt).i32(20, ttt).i32(24, statSn).i32(28, expCmdSn)
                .i32(32, maxCmdSn).i32(36, dataSn).i32(40, bufferOffset).i32(44, residual);
    }
}

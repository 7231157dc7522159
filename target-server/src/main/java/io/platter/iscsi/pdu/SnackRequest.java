package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** SNACK Request (RFC 7143 §11.16). */
public record SnackRequest(int type, long lun, int itt, int ttt, int expStatSn, int begRun, int runLength,
                           ByteBuf data,
                           ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public SnackRequest(int type, long lun, int itt, int ttt, int expStatSn, int begRun, int runLength, ByteBuf data) {
        this(type, lun, itt, ttt, expStatSn, begRun, runLength, data, null);
    }

    /** SNACK types (§11.16.1). */
    public static final int DATA_R2T = 0;
    public static final int STATUS = 1;
    public static final int DATA_ACK = 2;
    public static final int R_DATA = 3;

    static SnackRequest decode(Bhs b, Opcode.ByteBufHolder d) {
        return new SnackRequest(b.flags() & 0x0f, b.lun(), b.itt(), b.i32(20), b.i32(28), b.i32(40), b.i32(44),
                d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.SNACK_REQUEST;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL | type).i64(8, lun).i32(16, itt).i32(20, ttt).i32(28, expStatSn).i32(40, begRun)
                .i32(44, runLength);
    }
}

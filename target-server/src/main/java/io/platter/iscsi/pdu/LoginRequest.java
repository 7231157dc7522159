package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Login Request (RFC 7143 §11.12). */
public record LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionMin,
                           long isid, int tsih, int itt, int cid, int cmdSn, int expStatSn, ByteBuf data,
                           ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionMin, long isid,
                int tsih, int itt, int cid, int cmdSn, int expStatSn, ByteBuf data) {
        this(transit, cont, csg, nsg, versionMax, versionMin, isid, tsih, itt, cid, cmdSn, expStatSn, data, null);
    }

    public static final int TRANSIT = 0x80;
    public static final int CONTINUE = 0x40;

    static LoginRequest decode(Bhs b, Opcode.ByteBufHolder d) {
        int f = b.flags();
        return new LoginRequest((f & TRANSIT) != 0, (f & CONTINUE) != 0, (f >> 2) & 3, f & 3, b.u8(2), b.u8(3),
                b.isid(), b.u16(14), b.itt(), b.u16(20), b.i32(24), b.i32(28), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_REQUEST;
    }

    @Override
    public boolean immediate() {
        return true;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags((transit ? TRANSIT : 0) | (cont ? CONTINUE : 0) | (csg << 2) | nsg).u8(2, versionMax)
                .u8(3, versionMin).isid(isid).u16(14, tsih).i32(16, itt).u16(20, cid).i32(24, cmdSn)
                .i32(28, expStatSn);
    }
}

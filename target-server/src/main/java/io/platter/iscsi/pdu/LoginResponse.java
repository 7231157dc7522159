package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Login Response (RFC 7143 §11.13). */
public record LoginResponse(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionActive,
                            long isid, int tsih, int itt, int statSn, int expCmdSn, int maxCmdSn,
                            int statusClass, int statusDetail, ByteBuf data,
                            ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public LoginResponse(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionActive,
                long isid, int tsih, int itt, int statSn, int expCmdSn, int maxCmdSn, int statusClass,
                int statusDetail, ByteBuf data) {
        this(transit, cont, csg, nsg, versionMax, versionActive, isid, tsih, itt, statSn, expCmdSn, maxCmdSn,
                statusClass, statusDetail, data, null);
    }

    static LoginResponse decode(Bhs b, Opcode.ByteBufHolder d) {
        int f = b.flags();
        return new LoginResponse((f & LoginRequest.TRANSIT) != 0, (f & LoginRequest.CONTINUE) != 0, (f >> 2) & 3,
                f & 3, b.u8(2), b.u8(3), b.isid(), b.u16(14), b.itt(), b.i32(24), b.i32(28), b.i32(32),
                b.u8(36), b.u8(37), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_RESPONSE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags((transit ? LoginRequest.TRANSIT : 0) | (cont ? LoginRequest.CONTINUE : 0) | (csg << 2) | nsg)
                .u8(2, versionMax).u8(3, versionActive).isid(isid).u16(14, tsih).i32(16, itt)
                .i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn).u8(36, statusClass).u8(37, statusDetail);
    }
}

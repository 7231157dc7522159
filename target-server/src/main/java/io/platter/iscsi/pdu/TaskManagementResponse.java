package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Task Management Function Response (RFC 7143 §11.6). */
public record TaskManagementResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn, ByteBuf data,
                                     ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public TaskManagementResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn, ByteBuf data) {
        this(response, itt, statSn, expCmdSn, maxCmdSn, data, null);
    }

    public static final int FUNCTION_COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int FUNCTION_REJECTED = 255;

    static TaskManagementResponse decode(Bhs b, Opcode.ByteBufHolder d) {
        return new TaskManagementResponse(b.u8(2), b.itt(), b.i32(24), b.i32(28), b.i32(32), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MANAGEMENT_RESPONSE;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL).u8(2, response).i32(16, itt).i32(24, statSn).i32(28, expCmdSn).i32(32, maxCmdSn);
    }
}

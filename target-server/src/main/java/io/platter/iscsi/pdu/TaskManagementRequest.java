package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/** Task Management Function Request (RFC 7143 §11.5). */
public record TaskManagementRequest(boolean immediate, int function, long lun, int itt, int referencedTaskTag,
                                    int cmdSn, int expStatSn, int refCmdSn, int expDataSn, ByteBuf data,
                                    ByteBuf receivedBhs)
        implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public TaskManagementRequest(boolean immediate, int function, long lun, int itt, int referencedTaskTag,
                int cmdSn, int expStatSn, int refCmdSn, int expDataSn, ByteBuf data) {
        this(immediate, function, lun, itt, referencedTaskTag, cmdSn, expStatSn, refCmdSn, expDataSn, data, null);
    }

    static TaskManagementRequest decode(Bhs b, Opcode.ByteBufHolder d) {
        return new TaskManagementRequest(b.immediate(), b.flags() & 0x7f, b.lun(), b.itt(), b.i32(20),
                b.i32(24), b.i32(28), b.i32(32), b.i32(36), d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MANAGEMENT_REQUEST;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags(Bhs.FINAL | (function & 0x7f)).i64(8, lun).i32(16, itt).i32(20, referencedTaskTag)
                .i32(24, cmdSn).i32(28, expStatSn).i32(32, refCmdSn).i32(36, expDataSn);
    }
}

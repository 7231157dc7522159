package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.util.Random;

/** Random records of each PDU type, every field within the bits its wire field holds. */
final class RandomPdus {
    private RandomPdus() {
    }

    /** A random record of {@code op} owning {@code data} (R2T, which has none, releases it). */
    static Pdu create(Opcode op, Random r, ByteBuf data) {
        long lun = r.nextLong();
        int itt = r.nextInt();
        int ttt = r.nextInt();
        int a = r.nextInt();
        int b = r.nextInt();
        int c = r.nextInt();
        int d = r.nextInt();
        return switch (op) {
            case NOP_OUT -> new NopOut(r.nextBoolean(), lun, itt, ttt, a, b, data);
            case SCSI_COMMAND -> new ScsiCommandPdu(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(),
                    r.nextBoolean(), r.nextInt(8), lun, itt, a, b, c, cdb(r), data);
            case TASK_MANAGEMENT_REQUEST -> new TaskManagementRequest(r.nextBoolean(), r.nextInt(128), lun, itt, ttt,
                    a, b, c, d, data);
            case LOGIN_REQUEST -> new LoginRequest(r.nextBoolean(), r.nextBoolean(), r.nextInt(4), r.nextInt(4),
                    r.nextInt(256), r.nextInt(256), lun >>> 16, r.nextInt(65536), itt, r.nextInt(65536), a, b, data);
            case TEXT_REQUEST -> new TextRequest(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), lun, itt, ttt, a, b,
                    data);
            case DATA_OUT -> new DataOut(r.nextBoolean(), lun, itt, ttt, a, b, c, data);
            case LOGOUT_REQUEST -> new LogoutRequest(r.nextBoolean(), r.nextInt(128), itt, r.nextInt(65536), a, b,
                    data);
            case SNACK_REQUEST -> new SnackRequest(r.nextInt(16), lun, itt, ttt, a, b, c, data);
            case NOP_IN -> new NopIn(lun, itt, ttt, a, b, c, data);
            case SCSI_RESPONSE -> new ScsiResponsePdu(r.nextInt(16) << 1, r.nextInt(256), r.nextInt(256), itt, ttt,
                    a, b, c, d, r.nextInt(), r.nextInt(), data);
            case TASK_MANAGEMENT_RESPONSE -> new TaskManagementResponse(r.nextInt(256), itt, a, b, c, data);
            case LOGIN_RESPONSE -> new LoginResponse(r.nextBoolean(), r.nextBoolean(), r.nextInt(4), r.nextInt(4),
                    r.nextInt(256), r.nextInt(256), lun >>> 16, r.nextInt(65536), itt, a, b, c, r.nextInt(256),
                    r.nextInt(256), data);
            case TEXT_RESPONSE -> new TextResponse(r.nextBoolean(), r.nextBoolean(), lun, itt, ttt, a, b, c, data);
            case DATA_IN -> new DataIn(r.nextInt(256), r.nextInt(256), lun, itt, ttt, a, b, c, d, r.nextInt(),
                    r.nextInt(), data);
            case LOGOUT_RESPONSE -> new LogoutResponse(r.nextInt(256), itt, a, b, c, r.nextInt(65536),
                    r.nextInt(65536), data);
            case READY_TO_TRANSFER -> {
                data.release();
                yield new ReadyToTransfer(lun, itt, ttt, a, b, c, d, r.nextInt(), r.nextInt());
            }
            case ASYNC_MESSAGE -> new AsyncMessage(lun, a, b, c, r.nextInt(256), r.nextInt(256), r.nextInt(65536),
                    r.nextInt(65536), r.nextInt(65536), data);
            case REJECT -> new Reject(r.nextInt(256), a, b, c, d, data);
        };
    }

    /** 16 bytes (short CDBs travel zero-padded), or 17..260 with an Extended CDB AHS. */
    private static byte[] cdb(Random r) {
        byte[] cdb = new byte[r.nextInt(3) == 0 ? 17 + r.nextInt(244) : 16];
        r.nextBytes(cdb);
        return cdb;
    }
}

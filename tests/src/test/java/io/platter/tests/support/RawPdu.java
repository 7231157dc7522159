package io.platter.tests.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A hand-built iSCSI PDU (RFC 7143 §11.2): a 48-byte Basic Header Segment plus a data segment,
 * no AHS, no digests. Test-only: used to send malformed input; arrays are owned by the record.
 */
public record RawPdu(byte[] bhs, byte[] data) {

    /** Length of the Basic Header Segment (RFC 7143 §11.2.1). */
    public static final int BHS_LENGTH = 48;

    public static final int OP_NOP_OUT = 0x00;
    public static final int OP_SCSI_COMMAND = 0x01;
    public static final int OP_TASK_MANAGEMENT = 0x02;
    public static final int OP_LOGIN_REQUEST = 0x03;
    public static final int OP_TEXT_REQUEST = 0x04;
    public static final int OP_DATA_OUT = 0x05;
    public static final int OP_LOGOUT_REQUEST = 0x06;
    public static final int OP_SNACK = 0x10;
    public static final int OP_NOP_IN = 0x20;
    public static final int OP_SCSI_RESPONSE = 0x21;
    public static final int OP_TASK_MANAGEMENT_RESPONSE = 0x22;
    public static final int OP_LOGIN_RESPONSE = 0x23;
    public static final int OP_TEXT_RESPONSE = 0x24;
    public static final int OP_DATA_IN = 0x25;
    public static final int OP_LOGOUT_RESPONSE = 0x26;
    public static final int OP_R2T = 0x31;
    public static final int OP_ASYNC_MESSAGE = 0x32;
    public static final int OP_REJECT = 0x3f;
    /** Immediate-delivery bit in byte 0 of initiator PDUs. */
    public static final int IMMEDIATE = 0x40;

    /** A fixed ISID: OUI format (T=00), as an initiator would send (RFC 7143 §11.12.5). */
    private static final byte[] ISID = {0x00, 0x02, 0x3d, 0x00, 0x00, 0x01};

    public RawPdu {
        if (bhs.length != BHS_LENGTH) {
            throw new IllegalArgumentException("BHS must be 48 bytes, got " + bhs.length);
        }
    }

    /** Opcode (byte 0, low 6 bits). */
    public int opcode() {
        return bhs[0] & 0x3f;
    }

    /** Byte {@code i} of the BHS as 0..255. */
    public int u8(int i) {
        return bhs[i] & 0xff;
    }

    /** Big-endian 32-bit BHS field at {@code offset}. */
    public int int32(int offset) {
        return ByteBuffer.wrap(bhs).getInt(offset);
    }

    /** Big-endian 16-bit BHS field at {@code offset}. */
    public int u16(int offset) {
        return ByteBuffer.wrap(bhs).getShort(offset) & 0xffff;
    }

    /** DataSegmentLength (bytes 5-7). */
    public int dataSegmentLength() {
        return (u8(5) << 16) | (u8(6) << 8) | u8(7);
    }

    /** Login Response Status-Class (byte 36, RFC 7143 §11.13.5). */
    public int statusClass() {
        return u8(36);
    }

    /** Login Response Status-Detail (byte 37). */
    public int statusDetail() {
        return u8(37);
    }

    /** Header and padded data as sent on the wire. */
    public byte[] toBytes() {
        int padded = (data.length + 3) & ~3;
        byte[] out = new byte[BHS_LENGTH + padded];
        System.arraycopy(bhs, 0, out, 0, BHS_LENGTH);
        System.arraycopy(data, 0, out, BHS_LENGTH, data.length);
        return out;
    }

    @Override
    public String toString() {
        return String.format("PDU op=0x%02x flags=0x%02x b2=0x%02x dsl=%d itt=%08x", opcode(), u8(1), u8(2),
                dataSegmentLength(), int32(16));
    }

    /**
     * Login Request (RFC 7143 §11.12): I bit set, T/C/CSG/NSG in byte 1, version 0/0, ISID,
     * TSIH 0, ITT, CID 0, CmdSN, ExpStatSN and the text {@code data} (its length as
     * DataSegmentLength unless {@code declaredLength} >= 0 overrides it).
     */
    public static RawPdu loginRequest(boolean transit, int csg, int nsg, int itt, int cmdSn, int expStatSn,
                                      byte[] data, int declaredLength) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) (IMMEDIATE | OP_LOGIN_REQUEST));
        b.put(1, (byte) ((transit ? 0x80 : 0) | (csg & 3) << 2 | (nsg & 3)));
        putDataSegmentLength(b, declaredLength >= 0 ? declaredLength : data.length);
        b.put(8, ISID);
        b.putShort(14, (short) 0);
        b.putInt(16, itt);
        b.putShort(20, (short) 0);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        return new RawPdu(b.array(), data);
    }

    /** NOP-Out ping (RFC 7143 §11.18): F bit, LUN 0, ITT, TTT ffffffff, CmdSN, ExpStatSN. */
    public static RawPdu nopOut(boolean immediate, int itt, int cmdSn, int expStatSn) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) ((immediate ? IMMEDIATE : 0) | OP_NOP_OUT));
        b.put(1, (byte) 0x80);
        b.putInt(16, itt);
        b.putInt(20, 0xffffffff);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        return new RawPdu(b.array(), new byte[0]);
    }

    /**
     * SCSI Command (RFC 7143 §11.3): {@code flags} is byte 1 (F, R, W, ATTR), LUN in byte 9
     * (peripheral addressing), ExpectedDataTransferLength, CmdSN, ExpStatSN, a CDB of up to 16
     * bytes and {@code data} as immediate data.
     */
    public static RawPdu scsiCommand(boolean immediate, int flags, int lun, int itt, int edtl, int cmdSn,
                                     int expStatSn, byte[] cdb, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) ((immediate ? IMMEDIATE : 0) | OP_SCSI_COMMAND));
        b.put(1, (byte) flags);
        putDataSegmentLength(b, data.length);
        b.put(9, (byte) lun);
        b.putInt(16, itt);
        b.putInt(20, edtl);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        b.put(32, java.util.Arrays.copyOf(cdb, 16));
        return new RawPdu(b.array(), data);
    }

    /** SCSI Data-Out (RFC 7143 §11.7): F bit, LUN, ITT, TTT, ExpStatSN, DataSN, BufferOffset. */
    public static RawPdu dataOut(boolean last, int lun, int itt, int ttt, int expStatSn, int dataSn, int offset,
                                 byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) OP_DATA_OUT);
        b.put(1, (byte) (last ? 0x80 : 0));
        putDataSegmentLength(b, data.length);
        b.put(9, (byte) lun);
        b.putInt(16, itt);
        b.putInt(20, ttt);
        b.putInt(28, expStatSn);
        b.putInt(36, dataSn);
        b.putInt(40, offset);
        return new RawPdu(b.array(), data);
    }

    /**
     * Task Management Function Request (RFC 7143 §11.5): function in byte 1 (F set), LUN,
     * ITT, Referenced Task Tag, CmdSN, ExpStatSN, RefCmdSN, ExpDataSN.
     */
    public static RawPdu taskManagement(int function, int lun, int itt, int referencedItt, int cmdSn, int expStatSn,
                                        int refCmdSn) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) (IMMEDIATE | OP_TASK_MANAGEMENT));
        b.put(1, (byte) (0x80 | (function & 0x7f)));
        b.put(9, (byte) lun);
        b.putInt(16, itt);
        b.putInt(20, referencedItt);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        b.putInt(32, refCmdSn);
        return new RawPdu(b.array(), new byte[0]);
    }

    /** Logout Request (RFC 7143 §11.14): reason code in byte 1 (F set), ITT, CID, CmdSN, ExpStatSN. */
    public static RawPdu logout(boolean immediate, int reason, int itt, int cid, int cmdSn, int expStatSn) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) ((immediate ? IMMEDIATE : 0) | OP_LOGOUT_REQUEST));
        b.put(1, (byte) (0x80 | (reason & 0x7f)));
        b.putInt(16, itt);
        b.putShort(20, (short) cid);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        return new RawPdu(b.array(), new byte[0]);
    }

    /** SNACK Request (RFC 7143 §11.16): type in byte 1 (F set), ITT, TTT, ExpStatSN, BegRun, RunLength. */
    public static RawPdu snack(int type, int lun, int itt, int ttt, int expStatSn, int begRun, int runLength) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) OP_SNACK);
        b.put(1, (byte) (0x80 | (type & 0x0f)));
        b.put(9, (byte) lun);
        b.putInt(16, itt);
        b.putInt(20, ttt);
        b.putInt(28, expStatSn);
        b.putInt(40, begRun);
        b.putInt(44, runLength);
        return new RawPdu(b.array(), new byte[0]);
    }

    /** Text Request (RFC 7143 §11.10): F and C bits, ITT, TTT, CmdSN, ExpStatSN and key=value data. */
    public static RawPdu textRequest(boolean immediate, boolean last, boolean continued, int itt, int ttt, int cmdSn,
                                     int expStatSn, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) ((immediate ? IMMEDIATE : 0) | OP_TEXT_REQUEST));
        b.put(1, (byte) ((last ? 0x80 : 0) | (continued ? 0x40 : 0)));
        putDataSegmentLength(b, data.length);
        b.putInt(16, itt);
        b.putInt(20, ttt);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        return new RawPdu(b.array(), data);
    }

    /** A PDU with an arbitrary (e.g. undefined) opcode, F bit set, ITT, CmdSN and ExpStatSN. */
    public static RawPdu withOpcode(int opcodeByte, int itt, int cmdSn, int expStatSn) {
        ByteBuffer b = ByteBuffer.allocate(BHS_LENGTH);
        b.put(0, (byte) opcodeByte);
        b.put(1, (byte) 0x80);
        b.putInt(16, itt);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        return new RawPdu(b.array(), new byte[0]);
    }

    /** Login text keys (RFC 7143 §6.1): each {@code key=value} NUL-terminated. */
    public static byte[] text(String... keyValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String kv : keyValues) {
            out.writeBytes(kv.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * The CRC32C digest of {@code length} bytes at {@code offset} as it goes on the wire (RFC 7143
     * §13.1: iSCSI sends the CRC least significant byte first).
     */
    public static byte[] digest(byte[] bytes, int offset, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, offset, length);
        return ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array();
    }

    /**
     * {@code wire}, one well-framed PDU without digests (BHS, AHS, padded data), with a header
     * digest after the AHS and, when there is data, a data digest after the padded data.
     * {@code corrupt} 1 spoils the header digest, 2 the data digest, 0 neither.
     */
    public static byte[] withDigests(byte[] wire, int corrupt) {
        int ahs = (wire[4] & 0xff) * 4;
        int dsl = ((wire[5] & 0xff) << 16) | ((wire[6] & 0xff) << 8) | (wire[7] & 0xff);
        int header = BHS_LENGTH + ahs;
        int padded = (dsl + 3) & ~3;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(wire, 0, header);
        byte[] hd = digest(wire, 0, header);
        if (corrupt == 1) {
            hd[0] ^= 0x01;
        }
        out.writeBytes(hd);
        if (dsl > 0) {
            out.write(wire, header, padded);
            byte[] dd = digest(wire, header, padded);
            if (corrupt == 2) {
                dd[3] ^= (byte) 0x80;
            }
            out.writeBytes(dd);
        }
        return out.toByteArray();
    }

    private static void putDataSegmentLength(ByteBuffer b, int length) {
        if (length < 0 || length > 0xffffff) {
            throw new IllegalArgumentException("DataSegmentLength is 24 bits: " + length);
        }
        b.put(5, (byte) (length >>> 16));
        b.put(6, (byte) (length >>> 8));
        b.put(7, (byte) length);
    }
}

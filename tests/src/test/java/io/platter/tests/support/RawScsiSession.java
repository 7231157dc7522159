package io.platter.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A one-command-at-a-time SCSI initiator over {@link RawIscsiConnection}, for tests that need
 * commands libiscsi's tools do not issue (PERSISTENT RESERVE OUT): SCSI Command PDUs (RFC 7143
 * §11.3) to a LUN with the Data-Out as immediate data (or immediate plus unsolicited Data-Out), Data-In (§11.7) and SCSI Response (§11.4)
 * read back. Data-Out must fit in one PDU (8 KiB, the default MaxRecvDataSegmentLength).
 */
public final class RawScsiSession implements AutoCloseable {

    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int RESERVATION_CONFLICT = 0x18;

    private static final int OP_SCSI_COMMAND = 0x01;
    private static final int OP_SCSI_RESPONSE = 0x21;
    private static final int OP_DATA_IN = 0x25;
    private static final int OP_DATA_OUT = 0x05;

    /** Status, sense bytes (empty without) and Data-In of one command. */
    public record Result(int status, byte[] sense, byte[] data) {
        /** The sense key / ASC / ASCQ of fixed or descriptor sense, as {@code "6/29/00"}. */
        public String senseCode() {
            if (sense.length < 4) {
                return "";
            }
            boolean descriptor = (sense[0] & 0x7f) >= 0x72;
            int key = descriptor ? sense[1] & 0x0f : sense[2] & 0x0f;
            int asc = descriptor ? sense[2] & 0xff : sense[12] & 0xff;
            int ascq = descriptor ? sense[3] & 0xff : sense[13] & 0xff;
            return String.format("%x/%02x/%02x", key, asc, ascq);
        }
    }

    private final RawIscsiConnection connection;
    private int cmdSn;
    private int expStatSn;
    private int itt = 1;
    private java.util.Map<String, String> answers = java.util.Map.of();

    private RawScsiSession(RawIscsiConnection connection, RawIscsiConnection.Session session) {
        this.connection = connection;
        this.cmdSn = session.expCmdSn();
        this.expStatSn = session.statSn() + 1;
    }

    /** Logs in to {@code target} through 127.0.0.1:{@code port} as {@code initiator}. */
    public static RawScsiSession login(int port, String initiator, String target) throws IOException {
        RawIscsiConnection c = RawIscsiConnection.open(port, 20_000);
        try {
            return new RawScsiSession(c, c.login(initiator, target));
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * Logs in like a real initiator (security stage with optional CHAP, then {@code keys}); the
     * target's answers are in {@link #answers()}. Data-Out still goes as immediate data only.
     */
    public static RawScsiSession login(int port, String initiator, String target, RawIscsiConnection.Chap chap,
                                       String... keys) throws IOException {
        RawIscsiConnection c = RawIscsiConnection.open(port, 20_000);
        try {
            RawIscsiConnection.Negotiated n = c.login(initiator, target, chap, keys);
            RawScsiSession s = new RawScsiSession(c, n.session());
            s.answers = n.answers();
            return s;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The operational keys the target answered at login (empty for {@link #login(int, String, String)}). */
    public java.util.Map<String, String> answers() {
        return answers;
    }

    /** Runs one command on LUN 0; {@code dataOut} may be null. Throws IOException when the connection drops. */
    public Result command(byte[] cdb, byte[] dataOut, int expectedIn) throws IOException {
        return command(0, cdb, dataOut, expectedIn);
    }

    /** Runs one command on {@code lun} (SAM-5 §4.7.7 peripheral addressing, LUN < 256). */
    public Result command(int lun, byte[] cdb, byte[] dataOut, int expectedIn) throws IOException {
        int out = dataOut == null ? 0 : dataOut.length;
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) OP_SCSI_COMMAND);
        b.put(1, (byte) (0x80 | (expectedIn > 0 ? 0x40 : 0) | (out > 0 ? 0x20 : 0) | 0x01));  // F, R, W, SIMPLE
        b.put(5, (byte) (out >>> 16)).put(6, (byte) (out >>> 8)).put(7, (byte) out);
        b.put(9, (byte) lun);
        int tag = itt++;
        b.putInt(16, tag);
        b.putInt(20, out > 0 ? out : expectedIn);
        b.putInt(24, cmdSn++);
        b.putInt(28, expStatSn);
        b.put(32, Arrays.copyOf(cdb, 16));
        connection.send(new RawPdu(b.array(), out > 0 ? dataOut : new byte[0]));
        return await(tag);
    }

    /**
     * A WRITE-direction command announcing {@code expectedLength} bytes but sending none (no
     * immediate data, no Data-Out): for commands the target must refuse before it asks for data.
     */
    public Result writeWithoutData(byte[] cdb, int expectedLength) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) OP_SCSI_COMMAND);
        b.put(1, (byte) (0x80 | 0x20 | 0x01));
        int tag = itt++;
        b.putInt(16, tag);
        b.putInt(20, expectedLength);
        b.putInt(24, cmdSn++);
        b.putInt(28, expStatSn);
        b.put(32, Arrays.copyOf(cdb, 16));
        connection.send(new RawPdu(b.array(), new byte[0]));
        return await(tag);
    }

    /**
     * A write whose data goes partly as immediate data and the rest as unsolicited Data-Out PDUs
     * (RFC 7143 §11.7: TTT ffffffff, DataSN from 0, BufferOffset), which needs InitialR2T=No.
     * {@code dataOutLun} goes in the Data-Out LUN field, reserved when TTT is ffffffff (§11.7.4).
     */
    public Result unsolicitedWrite(int lun, byte[] cdb, byte[] data, int immediate, int pduLength, int dataOutLun)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) OP_SCSI_COMMAND);
        b.put(1, (byte) (0x80 | 0x20 | 0x01));
        b.put(5, (byte) (immediate >>> 16)).put(6, (byte) (immediate >>> 8)).put(7, (byte) immediate);
        b.put(9, (byte) lun);
        int tag = itt++;
        b.putInt(16, tag);
        b.putInt(20, data.length);
        b.putInt(24, cmdSn++);
        b.putInt(28, expStatSn);
        b.put(32, Arrays.copyOf(cdb, 16));
        connection.send(new RawPdu(b.array(), Arrays.copyOf(data, immediate)));
        int dataSn = 0;
        for (int offset = immediate; offset < data.length; offset += pduLength) {
            int n = Math.min(pduLength, data.length - offset);
            ByteBuffer d = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
            d.put(0, (byte) OP_DATA_OUT);
            d.put(1, (byte) (offset + n == data.length ? 0x80 : 0));
            d.put(5, (byte) (n >>> 16)).put(6, (byte) (n >>> 8)).put(7, (byte) n);
            d.put(9, (byte) dataOutLun);
            d.putInt(16, tag);
            d.putInt(20, 0xffffffff);
            d.putInt(28, expStatSn);
            d.putInt(36, dataSn++);
            d.putInt(40, offset);
            connection.send(new RawPdu(d.array(), Arrays.copyOfRange(data, offset, offset + n)));
        }
        return await(tag);
    }

    private Result await(int tag) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        while (true) {
            RawPdu r = connection.read().orElseThrow(() -> new IOException("target closed the connection"));
            if (r.int32(16) != tag) {
                continue;   // NOP-In pings and asynchronous messages are not this command's
            }
            if (r.opcode() == OP_DATA_IN) {
                in.writeBytes(r.data());
                if ((r.u8(1) & 0x01) != 0) {   // S bit: status in this PDU
                    expStatSn = r.int32(24) + 1;
                    return new Result(r.u8(3), new byte[0], in.toByteArray());
                }
            } else if (r.opcode() == OP_SCSI_RESPONSE) {
                expStatSn = r.int32(24) + 1;
                byte[] d = r.data();
                int senseLength = d.length < 2 ? 0 : (d[0] & 0xff) << 8 | d[1] & 0xff;
                byte[] sense = d.length < 2 ? new byte[0] : Arrays.copyOfRange(d, 2, Math.min(d.length, 2 + senseLength));
                return new Result(r.u8(3), sense, in.toByteArray());
            } else {
                throw new AssertionError("unexpected answer " + r);
            }
        }
    }

    /** TEST UNIT READY until GOOD: takes the pending unit attentions. Returns the sense codes taken. */
    public java.util.List<String> takeUnitAttentions() throws IOException {
        java.util.List<String> taken = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Result r = command(new byte[6], null, 0);
            if (r.status() == GOOD) {
                return taken;
            }
            taken.add(r.senseCode());
        }
        throw new AssertionError("unit attentions do not end: " + taken);
    }

    /** PERSISTENT RESERVE OUT (SPC-5 §6.16) with a basic 24-byte parameter list. */
    public Result persistentReserveOut(int serviceAction, int type, long key, long serviceActionKey, int flags)
            throws IOException {
        byte[] cdb = {0x5F, (byte) serviceAction, (byte) type, 0, 0, 0, 0, 0, 24, 0};
        ByteBuffer p = ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey);
        p.put(20, (byte) flags);
        return command(cdb, p.array(), 0);
    }

    /** PERSISTENT RESERVE IN (SPC-5 §6.15): its parameter data. */
    public byte[] persistentReserveIn(int serviceAction) throws IOException {
        Result r = command(new byte[] {0x5E, (byte) serviceAction, 0, 0, 0, 0, 0, 0x10, 0, 0}, null, 0x1000);
        if (r.status() != GOOD) {
            throw new AssertionError("PERSISTENT RESERVE IN failed: status " + r.status() + " " + r.senseCode());
        }
        return r.data();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}

package io.platter.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Just enough of an iSCSI initiator for one command at a time on a logged-in
 * {@link RawIscsiConnection}: SCSI Command with immediate Data-Out, Data-In and SCSI Response
 * (RFC 7143 §11.3, §11.4, §11.7). Data-Out must fit in one immediate data segment.
 */
public final class ScsiInitiator {

    /** SCSI status of a CHECK CONDITION (SAM-5 §5.3). */
    public static final int CHECK_CONDITION = 0x02;

    /**
     * Outcome of one command.
     *
     * @param status SCSI status
     * @param dataIn Data-In bytes (empty when none)
     * @param sense  sense data from the SCSI Response (empty when none)
     */
    public record Response(int status, byte[] dataIn, byte[] sense) {

        /** The sense key, from fixed (70h/71h) or descriptor (72h/73h) format sense data, or -1. */
        public int senseKey() {
            if (sense.length < 3) {
                return -1;
            }
            boolean descriptor = (sense[0] & 0x7E) == 0x72;
            return (descriptor ? sense[1] : sense[2]) & 0x0F;
        }
    }

    private final RawIscsiConnection c;
    private int cmdSn;
    private int expStatSn;
    private int itt = 1;

    public ScsiInitiator(RawIscsiConnection c, RawIscsiConnection.Session s) {
        this.c = c;
        this.cmdSn = s.expCmdSn();
        this.expStatSn = s.statSn() + 1;
    }

    /** TEST UNIT READY until GOOD: a new nexus first gets its unit attentions (SAM-5 §5.14). */
    public void clearUnitAttentions(int lun) throws IOException {
        for (int i = 0; i < 4; i++) {
            if (command(lun, new byte[6], null, 0).status() == 0) {
                return;
            }
        }
        throw new AssertionError("LUN " + lun + " never became ready");
    }

    /**
     * Sends one command, {@code out} (or nothing) as immediate data, and waits for its status.
     * SIMPLE task attribute; NOP-Ins are ignored.
     */
    public Response command(int lun, byte[] cdb, byte[] out, int inLength) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) 0x01);
        b.put(1, (byte) (0x80 | (out != null ? 0x20 : 0) | (inLength > 0 ? 0x40 : 0) | 0x01));
        int dsl = out == null ? 0 : out.length;
        b.put(5, (byte) (dsl >>> 16)).put(6, (byte) (dsl >>> 8)).put(7, (byte) dsl);
        b.put(9, (byte) lun);                   // SAM LUN, peripheral addressing (SAM-5 §4.7.7)
        b.putInt(16, itt++);
        b.putInt(20, out != null ? out.length : inLength);
        b.putInt(24, cmdSn++);
        b.putInt(28, expStatSn);
        b.put(32, cdb);
        c.send(new RawPdu(b.array(), out == null ? new byte[0] : out));
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        while (true) {
            RawPdu r = c.read().orElseThrow(() -> new AssertionError("target closed"));
            if (r.opcode() == 0x25) {                 // SCSI Data-In
                in.writeBytes(r.data());
                if ((r.u8(1) & 0x01) != 0) {          // S: status included
                    expStatSn = r.int32(24) + 1;
                    return new Response(r.u8(3), in.toByteArray(), new byte[0]);
                }
            } else if (r.opcode() == 0x21) {          // SCSI Response: SenseLength, then sense data
                expStatSn = r.int32(24) + 1;
                byte[] d = r.data();
                byte[] sense = d.length < 2 ? new byte[0]
                        : Arrays.copyOfRange(d, 2, Math.min(d.length, 2 + ((d[0] & 0xFF) << 8 | d[1] & 0xFF)));
                return new Response(r.u8(3), in.toByteArray(), sense);
            } else if (r.opcode() != RawPdu.OP_NOP_IN) {
                throw new AssertionError("unexpected " + r);
            }
        }
    }
}

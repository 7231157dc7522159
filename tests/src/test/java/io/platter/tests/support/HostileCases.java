package io.platter.tests.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile iSCSI input from one seeded {@link Random}: mutated valid PDUs of every
 * initiator opcode (RFC 7143 §11), random CDBs, Data-Out against the R2Ts the target issued with
 * bad offsets and tags, AHS, random bytes, truncated PDUs and lying lengths. Test-only.
 *
 * <p>A {@link Case} is <em>framed</em> when the lengths it declares match the bytes it sends, so
 * the stream stays in step and the target owes an answer to the next PDU; an unframed case leaves
 * the stream out of step, and the runner half-closes after it.
 */
public final class HostileCases {

    /** One input: what it is, its bytes, whether the stream stays in step, its ITT (or -1). */
    public record Case(String kind, byte[] wire, boolean framed, int itt) {
        /** The kind and the bytes in hex, enough to replay it. */
        public String describe() {
            return kind + " itt=" + Integer.toHexString(itt) + " " + HexFormat.of().formatHex(wire);
        }
    }

    /** An R2T the target sent (RFC 7143 §11.8) that the session may answer. */
    public record R2t(int lun, int itt, int ttt, int offset, int length) {
    }

    /** What the generator knows of a logged-in connection: sequence numbers and open R2Ts. */
    public static final class State {
        public int cmdSn;
        public int expStatSn;
        public int nextItt = 0x100;
        /** ITT of the next NOP-Out ping the runner sends after a case. */
        public int nextPing = 0x7f000000;
        public final List<R2t> r2ts = new ArrayList<>();
        /** ITTs of write commands sent, for unsolicited Data-Out and ABORT TASK. */
        public final List<Integer> writes = new ArrayList<>();

        public State(int cmdSn, int expStatSn) {
            this.cmdSn = cmdSn;
            this.expStatSn = expStatSn;
        }

        /** Follows StatSN and ExpCmdSN from a target PDU (RFC 7143 §4.2.2). */
        public void track(RawPdu r) {
            int op = r.opcode();
            if (op == RawPdu.OP_R2T) {
                if (r2ts.size() < 64) {
                    r2ts.add(new R2t(r.u8(9), r.int32(16), r.int32(20), r.int32(40), r.int32(44)));
                }
            } else if (op != RawPdu.OP_DATA_IN || (r.u8(1) & 0x01) != 0) {
                expStatSn = r.int32(24) + 1;
            }
            if (op != RawPdu.OP_LOGIN_RESPONSE && r.int32(28) - cmdSn > 0) {
                cmdSn = r.int32(28);
            }
        }
    }

    /** Opcodes of SPC-5/SBC-4 commands worth aiming random CDBs at (and some unassigned ones). */
    private static final int[] OPCODES = {0x00, 0x03, 0x04, 0x08, 0x0a, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1b,
        0x1d, 0x1e, 0x25, 0x28, 0x2a, 0x2e, 0x2f, 0x35, 0x37, 0x3b, 0x3c, 0x41, 0x42, 0x4c, 0x4d, 0x55, 0x5a,
        0x5e, 0x5f, 0x7f, 0x83, 0x84, 0x88, 0x89, 0x8a, 0x8e, 0x8f, 0x91, 0x93, 0x9e, 0xa0, 0xa3, 0xa4, 0xc0,
        0xff};

    private static final String[] KEYS = {"HeaderDigest", "DataDigest", "MaxConnections", "InitialR2T",
        "ImmediateData", "MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait",
        "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
        "SessionType", "TargetName", "InitiatorName", "AuthMethod", "CHAP_A", "CHAP_N", "CHAP_R", "SendTargets",
        "TargetAlias", "X-com.example.vendor", "OFMarker", "IFMarkInt", "TaskReporting", "iSCSIProtocolLevel"};

    private final Random rnd;
    private final String initiator;
    private final String target;

    public HostileCases(Random rnd, String initiator, String target) {
        this.rnd = rnd;
        this.initiator = initiator;
        this.target = target;
    }

    // --- login phase (RFC 7143 §6, §11.12) ------------------------------------------------------

    /** A mutated Login Request (or another PDU, or bytes) for a connection still in login phase. */
    public Case login(int round) {
        int pick = rnd.nextInt(100);
        if (pick < 6) {
            return unframed("login-bytes", randomBytes(1 + rnd.nextInt(120)));
        }
        if (pick < 10) {
            byte[] valid = loginRequest(round, validLoginText()).toBytes();
            return unframed("login-truncated", java.util.Arrays.copyOf(valid, 1 + rnd.nextInt(valid.length - 1)));
        }
        if (pick < 16) {
            return framed("login-other-opcode", anyInitiatorPdu(new State(0, 0)).wire(), 1);
        }
        byte[] text = pick < 40 ? validLoginText() : mutatedText(validLoginText());
        RawPdu p = loginRequest(round, text);
        byte[] bhs = p.bhs().clone();
        if (rnd.nextInt(3) == 0) {
            bhs[1] = (byte) rnd.nextInt(256);                  // T, C, CSG, NSG
        }
        if (rnd.nextInt(6) == 0) {
            bhs[2] = (byte) rnd.nextInt(4);                    // Version-max
            bhs[3] = (byte) rnd.nextInt(4);                    // Version-min
        }
        if (rnd.nextInt(6) == 0) {
            for (int i = 8; i < 14; i++) {
                bhs[i] = (byte) rnd.nextInt(256);              // ISID
            }
        }
        if (rnd.nextInt(8) == 0) {
            bhs[14] = (byte) rnd.nextInt(3);                   // TSIH: a session that may or may not exist
            bhs[15] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextInt(8) == 0) {
            ByteBuffer.wrap(bhs).putShort(20, (short) rnd.nextInt(65536)); // CID
        }
        mutateHeader(bhs, 0.03);
        return withAhsMaybe("login", bhs, text, 1);
    }

    private RawPdu loginRequest(int round, byte[] text) {
        return RawPdu.loginRequest(true, 1, 3, 1, 0, round, text, -1);
    }

    /** The text of a plain login into full feature phase ({@code discovery}: SendTargets only). */
    public byte[] loginText(boolean discovery) {
        return discovery
                ? RawPdu.text("InitiatorName=" + initiator, "SessionType=Discovery")
                : RawPdu.text("InitiatorName=" + initiator, "SessionType=Normal", "TargetName=" + target);
    }

    private byte[] validLoginText() {
        return loginText(rnd.nextInt(5) == 0);
    }

    /** Key=value text with keys dropped, added, doubled, stretched or mangled (RFC 7143 §6.1). */
    private byte[] mutatedText(byte[] base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(base);
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            String key = rnd.nextInt(8) == 0 ? randomAscii(1 + rnd.nextInt(70)) : KEYS[rnd.nextInt(KEYS.length)];
            String value = switch (rnd.nextInt(8)) {
                case 0 -> "";
                case 1 -> Integer.toString(rnd.nextInt());
                case 2 -> Long.toString(rnd.nextLong() & Long.MAX_VALUE);
                case 3 -> "CRC32C,None";
                case 4 -> "Yes";
                case 5 -> "0x" + HexFormat.of().formatHex(randomBytes(1 + rnd.nextInt(40)));
                case 6 -> randomAscii(rnd.nextInt(300));
                default -> "None,Reject,NotUnderstood,Irrelevant";
            };
            out.writeBytes((key + (rnd.nextInt(20) == 0 ? "" : "=") + value).getBytes(StandardCharsets.ISO_8859_1));
            if (rnd.nextInt(15) != 0) {
                out.write(0);
            }
        }
        byte[] text = out.toByteArray();
        if (rnd.nextInt(8) == 0 && text.length > 0) {
            text[rnd.nextInt(text.length)] = (byte) rnd.nextInt(256);
        }
        return text.length > 8192 ? java.util.Arrays.copyOf(text, 8192) : text;
    }

    // --- full feature phase ---------------------------------------------------------------------

    /** A hostile PDU (or bytes) for a connection in full feature phase with {@code s}. */
    public Case fullFeature(State s) {
        int pick = rnd.nextInt(1000);
        if (pick < 12) {
            return unframed("ffp-bytes", randomBytes(1 + rnd.nextInt(200)));
        }
        if (pick < 24) {
            byte[] valid = scsiCommand(s).wire();
            return unframed("ffp-truncated", java.util.Arrays.copyOf(valid, 1 + rnd.nextInt(valid.length - 1)));
        }
        if (pick < 34) {
            return lyingLength(s);
        }
        Case c = anyInitiatorPdu(s);
        if (rnd.nextInt(6) == 0) {
            byte[] wire = c.wire().clone();
            mutateHeader(wire, 0.04);
            return new Case(c.kind() + "+mutated", wire, true, c.itt());
        }
        return c;
    }

    /** A well-framed PDU of some initiator opcode. */
    private Case anyInitiatorPdu(State s) {
        int pick = rnd.nextInt(100);
        if (pick < 40) {
            return scsiCommand(s);
        }
        if (pick < 58) {
            return dataOut(s);
        }
        if (pick < 64) {
            return nopOut(s);
        }
        if (pick < 71) {
            return taskManagement(s);
        }
        if (pick < 77) {
            return textRequest(s);
        }
        if (pick < 80) {
            return logout(s);
        }
        if (pick < 86) {
            return snack(s);
        }
        if (pick < 92) {
            int itt = s.nextItt++;
            byte[] bhs = RawPdu.withOpcode(rnd.nextInt(256), itt, s.cmdSn, s.expStatSn).bhs();
            mutateHeader(bhs, 0.1);
            return withAhsMaybe("random-opcode", bhs, randomBytes(rnd.nextInt(3) == 0 ? rnd.nextInt(600) : 0), itt);
        }
        int itt = s.nextItt++;
        RawPdu p = RawPdu.scsiCommand(false, 0x81, 0, itt, 0, s.cmdSn++, s.expStatSn, new byte[6], new byte[0]);
        return withAhs("ahs", p.bhs().clone(), new byte[0], itt);
    }

    private Case scsiCommand(State s) {
        int itt = s.nextItt++;
        byte[] cdb = randomBytes(16);
        cdb[0] = (byte) (rnd.nextInt(10) == 0 ? rnd.nextInt(256) : OPCODES[rnd.nextInt(OPCODES.length)]);
        if (rnd.nextBoolean()) {
            // A small LBA and length, so many reads and writes are in range of the 64 MiB LUN.
            java.util.Arrays.fill(cdb, 1, 10, (byte) 0);
            cdb[5] = (byte) rnd.nextInt(256);
            cdb[8] = (byte) rnd.nextInt(9);
            cdb[4] = (byte) rnd.nextInt(9);
            cdb[13] = (byte) rnd.nextInt(9);
        }
        int edtl = switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 512;
            case 2 -> 512 * (1 + rnd.nextInt(16));
            case 3 -> rnd.nextInt(70_000);
            case 4 -> rnd.nextInt();
            default -> 4096;
        };
        int flags = 0x80 | (rnd.nextInt(4) << 5) | rnd.nextInt(8);
        if (rnd.nextInt(20) == 0) {
            flags = rnd.nextInt(256);
        }
        boolean write = (flags & 0x20) != 0;
        byte[] data = new byte[0];
        if (write && edtl > 0 && rnd.nextInt(3) != 0) {
            int max = Math.min(8192, edtl > 0 ? edtl : 8192);
            data = randomBytes(rnd.nextInt(20) == 0 ? rnd.nextInt(8192) : rnd.nextInt(max + 1));
        }
        int lun = rnd.nextInt(12) == 0 ? rnd.nextInt(256) : 0;
        boolean immediate = rnd.nextInt(10) == 0;
        int cmdSn = rnd.nextInt(30) == 0 ? s.cmdSn + rnd.nextInt(300) - 150 : s.cmdSn;
        if (!immediate && cmdSn == s.cmdSn) {
            s.cmdSn++;
        }
        RawPdu p = RawPdu.scsiCommand(immediate, flags, lun, itt, edtl, cmdSn, s.expStatSn, cdb, data);
        if (write) {
            s.writes.add(itt);
        }
        return framed("scsi-" + String.format("%02x", cdb[0] & 0xff), p.toBytes(), itt);
    }

    private Case dataOut(State s) {
        int pick = rnd.nextInt(10);
        R2t r2t = s.r2ts.isEmpty() ? null : s.r2ts.get(rnd.nextInt(s.r2ts.size()));
        int itt;
        int ttt;
        int offset;
        int length;
        int lun;
        if (r2t != null && pick < 7) {
            itt = r2t.itt();
            ttt = r2t.ttt();
            offset = r2t.offset();
            length = Math.min(r2t.length(), 8192);
            lun = r2t.lun();
            if (rnd.nextInt(3) != 0 && length == r2t.length()) {
                s.r2ts.remove(r2t);                              // answered in full
            }
        } else {
            itt = !s.writes.isEmpty() && rnd.nextBoolean() ? s.writes.get(rnd.nextInt(s.writes.size())) : rnd.nextInt();
            ttt = rnd.nextBoolean() ? 0xffffffff : rnd.nextInt();
            offset = rnd.nextInt(3) == 0 ? rnd.nextInt() : 512 * rnd.nextInt(20);
            length = rnd.nextInt(8193);
            lun = 0;
        }
        String kind = "data-out";
        switch (rnd.nextInt(8)) {
            case 0 -> {
                offset += rnd.nextInt(2) == 0 ? 512 : -512;
                kind = "data-out-bad-offset";
            }
            case 1 -> {
                ttt ^= 1 + rnd.nextInt(255);
                kind = "data-out-bad-ttt";
            }
            case 2 -> {
                length = Math.min(8192, length + 1 + rnd.nextInt(1024));
                kind = "data-out-long";
            }
            default -> {
            }
        }
        int dataSn = rnd.nextInt(4) == 0 ? rnd.nextInt(8) : 0;
        RawPdu p = RawPdu.dataOut(rnd.nextInt(4) != 0, lun, itt, ttt, s.expStatSn, dataSn, offset,
                randomBytes(Math.max(0, length)));
        return framed(kind, p.toBytes(), itt);
    }

    private Case nopOut(State s) {
        int itt = rnd.nextInt(4) == 0 ? 0xffffffff : s.nextItt++;
        int ttt = rnd.nextInt(3) == 0 ? rnd.nextInt() : 0xffffffff;
        boolean immediate = rnd.nextBoolean();
        RawPdu base = RawPdu.nopOut(immediate, itt, immediate ? s.cmdSn : s.cmdSn++, s.expStatSn);
        byte[] bhs = base.bhs().clone();
        ByteBuffer.wrap(bhs).putInt(20, ttt);
        byte[] data = rnd.nextInt(3) == 0 ? randomBytes(rnd.nextInt(4097)) : new byte[0];
        return withAhsMaybe("nop-out", bhs, data, itt);
    }

    private Case taskManagement(State s) {
        int itt = s.nextItt++;
        int function = rnd.nextInt(10) == 0 ? rnd.nextInt(128) : 1 + rnd.nextInt(8);
        int ref = !s.writes.isEmpty() && rnd.nextBoolean() ? s.writes.get(rnd.nextInt(s.writes.size())) : rnd.nextInt();
        RawPdu p = RawPdu.taskManagement(function, rnd.nextInt(8) == 0 ? rnd.nextInt(256) : 0, itt, ref, s.cmdSn,
                s.expStatSn, s.cmdSn - rnd.nextInt(4));
        return framed("tmf-" + function, p.toBytes(), itt);
    }

    private Case textRequest(State s) {
        int itt = s.nextItt++;
        byte[] text = rnd.nextBoolean() ? RawPdu.text("SendTargets=All") : mutatedText(RawPdu.text("SendTargets="
                + (rnd.nextBoolean() ? target : randomAscii(rnd.nextInt(40)))));
        boolean immediate = rnd.nextBoolean();
        boolean continued = rnd.nextInt(6) == 0;
        RawPdu p = RawPdu.textRequest(immediate, !continued, continued, itt,
                rnd.nextInt(4) == 0 ? rnd.nextInt() : 0xffffffff, immediate ? s.cmdSn : s.cmdSn++, s.expStatSn, text);
        return framed(continued ? "text-continued" : "text", p.toBytes(), itt);
    }

    private Case logout(State s) {
        int itt = s.nextItt++;
        boolean immediate = rnd.nextBoolean();
        int reason = rnd.nextInt(8) == 0 ? rnd.nextInt(128) : rnd.nextInt(3);
        RawPdu p = RawPdu.logout(immediate, reason, itt, rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : 0,
                immediate ? s.cmdSn : s.cmdSn++, s.expStatSn);
        return framed("logout-" + reason, p.toBytes(), itt);
    }

    private Case snack(State s) {
        int itt = rnd.nextBoolean() ? 0xffffffff : s.nextItt - 1 - rnd.nextInt(4);
        RawPdu p = RawPdu.snack(rnd.nextInt(16), 0, itt, rnd.nextInt(), s.expStatSn, rnd.nextInt(8), rnd.nextInt(8));
        return framed("snack", p.toBytes(), itt);
    }

    /** A PDU whose DataSegmentLength or TotalAHSLength does not match what follows. */
    private Case lyingLength(State s) {
        byte[] wire = scsiCommand(s).wire();
        byte[] out = wire.clone();
        switch (rnd.nextInt(3)) {
            case 0 -> {
                out[5] = (byte) rnd.nextInt(256);               // DataSegmentLength, maybe far too big
                out[6] = (byte) rnd.nextInt(256);
                out[7] = (byte) rnd.nextInt(256);
            }
            case 1 -> out[4] = (byte) (1 + rnd.nextInt(255));   // TotalAHSLength without AHS
            default -> {
                out[7] = (byte) (out[7] + 1 + rnd.nextInt(8));  // a few bytes more than sent
            }
        }
        return unframed("ffp-lying-length", out);
    }

    // --- building blocks ------------------------------------------------------------------------

    private Case withAhsMaybe(String kind, byte[] bhs, byte[] data, int itt) {
        return rnd.nextInt(15) == 0 ? withAhs(kind, bhs, data, itt) : framed(kind, compose(bhs, new byte[0], data), itt);
    }

    /** Adds an AHS of random words (sometimes a well-formed Extended CDB AHS, RFC 7143 §11.2.2). */
    private Case withAhs(String kind, byte[] bhs, byte[] data, int itt) {
        int words = 1 + rnd.nextInt(8);
        byte[] ahs = randomBytes(words * 4);
        if (rnd.nextBoolean()) {
            int length = Math.max(1, words * 4 - 3);
            ahs[0] = (byte) (length >>> 8);
            ahs[1] = (byte) length;
            ahs[2] = (byte) (rnd.nextBoolean() ? 1 : 2);
        }
        bhs[4] = (byte) words;
        return framed(kind + "+ahs", compose(bhs, ahs, data), itt);
    }

    /** BHS with the given AHS and data (its DataSegmentLength set), data padded to 4 bytes. */
    private static byte[] compose(byte[] bhs, byte[] ahs, byte[] data) {
        byte[] b = bhs.clone();
        b[4] = (byte) (ahs.length / 4);
        b[5] = (byte) (data.length >>> 16);
        b[6] = (byte) (data.length >>> 8);
        b[7] = (byte) data.length;
        int padded = (data.length + 3) & ~3;
        byte[] out = new byte[b.length + ahs.length + padded];
        System.arraycopy(b, 0, out, 0, b.length);
        System.arraycopy(ahs, 0, out, b.length, ahs.length);
        System.arraycopy(data, 0, out, b.length + ahs.length, data.length);
        return out;
    }

    /** Flips random bytes of a BHS, never its length fields (bytes 4-7), so framing holds. */
    private void mutateHeader(byte[] wire, double perByte) {
        for (int i = 0; i < RawPdu.BHS_LENGTH; i++) {
            if (i >= 4 && i <= 7) {
                continue;
            }
            if (rnd.nextDouble() < perByte) {
                wire[i] = (byte) rnd.nextInt(256);
            }
        }
    }

    private Case framed(String kind, byte[] wire, int itt) {
        return new Case(kind, wire, true, itt);
    }

    private Case unframed(String kind, byte[] wire) {
        return new Case(kind, wire, false, -1);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private String randomAscii(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (0x20 + rnd.nextInt(0x5f)));
        }
        return sb.toString();
    }
}

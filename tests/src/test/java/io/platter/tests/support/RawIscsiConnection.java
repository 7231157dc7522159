package io.platter.tests.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A bare TCP connection to an iSCSI portal that sends hand-built bytes and reads whole PDUs
 * (RFC 7143 §11.2: BHS, AHS of TotalAHSLength words, data padded to 4 bytes; no digests).
 */
public final class RawIscsiConnection implements AutoCloseable {

    /** Result of a successful login into full feature phase (RFC 7143 §11.13). */
    public record Session(int tsih, int statSn, int expCmdSn) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private boolean headerDigest;
    private boolean dataDigest;

    private RawIscsiConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; reads time out after {@code readTimeoutMillis}. */
    public static RawIscsiConnection open(int port, int readTimeoutMillis) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(readTimeoutMillis);
        s.setTcpNoDelay(true);
        return new RawIscsiConnection(s);
    }

    /** Writes raw bytes. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes a PDU with its padded data segment. */
    public void send(RawPdu pdu) throws IOException {
        send(pdu.toBytes());
    }

    /** What the target did next: sent a PDU, closed (or reset) the connection, or stayed silent. */
    public sealed interface Answer {
        /** A whole PDU arrived. */
        record Received(RawPdu pdu) implements Answer {
        }

        /** The target closed or reset the connection. */
        record Closed() implements Answer {
        }

        /** Nothing arrived and the connection stayed open for the read timeout. */
        record Silent() implements Answer {
        }
    }

    /**
     * Reads the next PDU; empty when the target closed (or reset) the connection. A read
     * timeout fails the test: the target neither answered nor closed.
     */
    public Optional<RawPdu> read() throws IOException {
        Answer a = answer();
        if (a instanceof Answer.Silent) {
            throw new AssertionError("target neither answered nor closed within " + socket.getSoTimeout() + " ms");
        }
        return a instanceof Answer.Received r ? Optional.of(r.pdu()) : Optional.empty();
    }

    /**
     * Reads the next PDU, or tells that the target closed or stayed silent for the read timeout.
     * After {@link Answer.Silent} in the middle of a PDU the stream is out of step: close it.
     */
    public Answer answer() throws IOException {
        byte[] bhs = new byte[RawPdu.BHS_LENGTH];
        try {
            in.readFully(bhs);
            int ahs = (bhs[4] & 0xff) * 4;
            int dsl = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
            byte[] header = java.util.Arrays.copyOf(bhs, RawPdu.BHS_LENGTH + ahs);
            in.readFully(header, RawPdu.BHS_LENGTH, ahs);
            if (headerDigest) {
                expectDigest(header, header.length, "header");
            }
            byte[] padded = new byte[(dsl + 3) & ~3];
            in.readFully(padded);
            if (dataDigest && dsl > 0) {
                expectDigest(padded, padded.length, "data");
            }
            return new Answer.Received(new RawPdu(bhs, java.util.Arrays.copyOf(padded, dsl)));
        } catch (EOFException e) {
            return new Answer.Closed();
        } catch (SocketTimeoutException e) {
            return new Answer.Silent();
        } catch (SocketException e) {
            return new Answer.Closed(); // connection reset counts as closed
        }
    }

    /**
     * From now on PDUs read carry a header digest and/or (with data) a data digest (RFC 7143
     * §13.1), which must be right.
     */
    public void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    private void expectDigest(byte[] covered, int length, String which) throws IOException {
        byte[] got = new byte[4];
        in.readFully(got);
        if (!java.util.Arrays.equals(got, RawPdu.digest(covered, 0, length))) {
            throw new AssertionError("the target sent a wrong " + which + " digest " + HexFormat.of().formatHex(got)
                    + " after " + HexFormat.of().formatHex(covered, 0, Math.min(length, RawPdu.BHS_LENGTH)));
        }
    }

    /**
     * Fails unless the target closes the connection next (within the read timeout) without
     * sending anything more; {@code why} names the expected close in the failure.
     */
    public void expectClosed(String why) throws IOException {
        Answer a = answer();
        if (a instanceof Answer.Received r) {
            throw new AssertionError(why + ": expected the target to close, it sent " + r.pdu());
        }
        if (a instanceof Answer.Silent) {
            throw new AssertionError(why + ": expected the target to close, it stayed silent and open for "
                    + socket.getSoTimeout() + " ms");
        }
    }

    /** Half-closes: the target reads end of stream, as after an initiator's close mid-PDU. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Changes the read timeout. */
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * Logs in as {@code initiator} to {@code target} starting in operational negotiation
     * (CSG=1, NSG=3, T=1); repeats the request while the target does not yet transit.
     * Fails unless it reaches full feature phase with status 0/0.
     */
    public Session login(String initiator, String target) throws IOException {
        byte[] text = RawPdu.text("InitiatorName=" + initiator, "SessionType=Normal", "TargetName=" + target);
        int itt = 0x1000;
        int expStatSn = 0;
        for (int round = 0; round < 4; round++) {
            send(RawPdu.loginRequest(true, 1, 3, itt, 0, expStatSn, round == 0 ? text : new byte[0], -1));
            RawPdu r = read().orElseThrow(() -> new AssertionError("target closed during login"));
            if (r.opcode() != RawPdu.OP_LOGIN_RESPONSE || r.statusClass() != 0 || r.statusDetail() != 0) {
                throw new AssertionError("login failed: " + r + " status " + r.statusClass() + "/" + r.statusDetail());
            }
            expStatSn = r.int32(24) + 1;
            boolean transit = (r.u8(1) & 0x80) != 0;
            if (transit && (r.u8(1) & 3) == 3) {
                return new Session(r.u16(14), r.int32(24), r.int32(28));
            }
        }
        throw new AssertionError("target did not move to full feature phase after 4 login rounds");
    }

    /** CHAP credentials the initiator proves (RFC 7143 §12.1.3, RFC 1994), CHAP_A=5 (MD5). */
    public record Chap(String user, String secret) {
    }

    /** A login that reached full feature phase and the operational keys the target answered. */
    public record Negotiated(Session session, Map<String, String> answers) {
    }

    /**
     * Logs in the way a real initiator does: a security stage (CSG=0) offering
     * {@code AuthMethod=CHAP,None} when {@code chap} is given (then CHAP_A=5, CHAP_N/CHAP_R as
     * MD5(CHAP_I || secret || CHAP_C)) or {@code None}, then operational negotiation (CSG=1)
     * sending {@code operationalKeys} and collecting every key the target answers.
     */
    public Negotiated login(String initiator, String target, Chap chap, String... operationalKeys)
            throws IOException {
        int itt = 0x2000;
        int[] expStatSn = {0};
        Map<String, String> answers = new LinkedHashMap<>();
        Map<String, String> r = loginStep(false, 0, 1, itt, expStatSn, RawPdu.text("InitiatorName=" + initiator,
                "SessionType=Normal", "TargetName=" + target, "AuthMethod=" + (chap == null ? "None" : "CHAP,None")),
                null);
        if (chap != null) {
            if (!"CHAP".equals(r.get("AuthMethod"))) {
                throw new AssertionError("target chose AuthMethod " + r.get("AuthMethod"));
            }
            r = loginStep(false, 0, 1, itt, expStatSn, RawPdu.text("CHAP_A=5"), null);
            if (!"5".equals(r.get("CHAP_A"))) {
                throw new AssertionError("target chose CHAP_A " + r.get("CHAP_A"));
            }
            byte[] response = chapMd5(Integer.parseInt(r.get("CHAP_I")), chap.secret(), r.get("CHAP_C"));
            loginStep(true, 0, 1, itt, expStatSn,
                    RawPdu.text("CHAP_N=" + chap.user(), "CHAP_R=0x" + HexFormat.of().formatHex(response)), null);
        } else {
            loginStep(true, 0, 1, itt, expStatSn, new byte[0], null);
        }
        boolean[] done = {false};
        byte[] text = RawPdu.text(operationalKeys);
        for (int round = 0; round < 4 && !done[0]; round++) {
            answers.putAll(loginStep(true, 1, 3, itt, expStatSn, round == 0 ? text : new byte[0], done));
        }
        if (!done[0]) {
            throw new AssertionError("target did not move to full feature phase; answered " + answers);
        }
        return new Negotiated(lastSession, answers);
    }

    private Session lastSession;

    /** One login request/response; fails on a non-zero status; sets {@code done[0]} on reaching FFP. */
    private Map<String, String> loginStep(boolean transit, int csg, int nsg, int itt, int[] expStatSn, byte[] text,
                                          boolean[] done) throws IOException {
        send(RawPdu.loginRequest(transit, csg, nsg, itt, 0, expStatSn[0], text, -1));
        RawPdu r = read().orElseThrow(() -> new AssertionError("target closed during login"));
        if (r.opcode() != RawPdu.OP_LOGIN_RESPONSE || r.statusClass() != 0 || r.statusDetail() != 0) {
            throw new AssertionError("login failed: " + r + " status " + r.statusClass() + "/" + r.statusDetail());
        }
        expStatSn[0] = r.int32(24) + 1;
        if (done != null && (r.u8(1) & 0x80) != 0 && (r.u8(1) & 3) == 3) {
            done[0] = true;
            lastSession = new Session(r.u16(14), r.int32(24), r.int32(28));
        }
        Map<String, String> keys = new LinkedHashMap<>();
        for (String kv : new String(r.data(), StandardCharsets.UTF_8).split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                keys.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return keys;
    }

    /** CHAP response (RFC 1994 §4.1): MD5 over the identifier octet, the secret and the challenge. */
    private static byte[] chapMd5(int id, String secret, String challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) id);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            String hex = challenge.substring(2);
            md5.update(challenge.startsWith("0b") || challenge.startsWith("0B")
                    ? Base64.getDecoder().decode(hex) : HexFormat.of().parseHex(hex));
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

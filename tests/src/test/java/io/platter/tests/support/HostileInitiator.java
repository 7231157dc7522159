package io.platter.tests.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An initiator that does what a real one would not: logs in from a chosen loopback source
 * address (127.0.0.x) with a chosen ISID, names itself as anyone, sends any key in any login
 * PDU, guesses CHAP secrets. Every step returns the target's raw answer so a test can check the
 * login status (RFC 7143 §11.13.5) itself. No digests.
 */
public final class HostileInitiator implements AutoCloseable {
    private static final int OP_TEXT_REQUEST = 0x04;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long isid;
    private int expStatSn;
    private int cmdSn = 1;

    private HostileInitiator(Socket socket, long isid) throws IOException {
        this.socket = socket;
        this.isid = isid;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code sourceAddress} (e.g. 127.0.0.7) to 127.0.0.1:{@code port}; reads time out after 10 s. */
    public static HostileInitiator connect(String sourceAddress, int port, long isid) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(sourceAddress, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return new HostileInitiator(s, isid);
    }

    /** One Login Request (RFC 7143 §11.12) with this ISID, TSIH 0, CID 0; returns the answer, empty if closed. */
    public Optional<RawPdu> login(boolean transit, boolean cont, int csg, int nsg, String... keys) throws IOException {
        byte[] data = RawPdu.text(keys);
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) (RawPdu.IMMEDIATE | RawPdu.OP_LOGIN_REQUEST));
        b.put(1, (byte) ((transit ? 0x80 : 0) | (cont ? 0x40 : 0) | (csg & 3) << 2 | (nsg & 3)));
        putLength(b, data.length);
        b.putShort(8, (short) (isid >>> 32));
        b.putInt(10, (int) isid);
        b.putInt(16, 0x1000);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        send(new RawPdu(b.array(), data));
        Optional<RawPdu> r = read();
        r.ifPresent(p -> expStatSn = p.int32(24) + 1);
        return r;
    }

    /** A one-PDU login straight into full feature phase (CSG=1, NSG=3); the answer, empty if closed. */
    public Optional<RawPdu> loginOperational(String... keys) throws IOException {
        return login(true, false, 1, 3, keys);
    }

    /**
     * A CHAP login to {@code target} as {@code initiator} answering with {@code secret} under
     * {@code user}: AuthMethod, CHAP_A=5, then CHAP_N/CHAP_R. Returns the answer to the response.
     */
    public RawPdu chapLogin(String initiator, String target, String user, String secret) throws IOException {
        RawPdu first = login(false, false, 0, 1, "InitiatorName=" + initiator, "TargetName=" + target,
                "AuthMethod=CHAP").orElseThrow(() -> new AssertionError("closed after AuthMethod"));
        if (first.statusClass() != 0) {
            return first;
        }
        RawPdu challenge = login(false, false, 0, 1, "CHAP_A=5")
                .orElseThrow(() -> new AssertionError("closed after CHAP_A"));
        if (challenge.statusClass() != 0) {
            return challenge;
        }
        Map<String, String> c = keys(challenge);
        byte[] response = md5(Integer.parseInt(c.get("CHAP_I")), secret, c.get("CHAP_C"));
        return login(true, false, 0, 1, "CHAP_N=" + user, "CHAP_R=0x" + HexFormat.of().formatHex(response))
                .orElseThrow(() -> new AssertionError("closed without answering the CHAP response"));
    }

    /** SendTargets=All in full feature phase (RFC 7143 §11.10, Appendix C); the TargetName values. */
    public java.util.List<String> sendTargets() throws IOException {
        byte[] data = RawPdu.text("SendTargets=All");
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) (RawPdu.IMMEDIATE | OP_TEXT_REQUEST));
        b.put(1, (byte) 0x80);
        putLength(b, data.length);
        b.putInt(16, 0x2000);
        b.putInt(20, 0xffffffff);
        b.putInt(24, cmdSn);
        b.putInt(28, expStatSn);
        send(new RawPdu(b.array(), data));
        RawPdu r = read().orElseThrow(() -> new AssertionError("closed instead of answering SendTargets"));
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String kv : new String(r.data(), StandardCharsets.UTF_8).split("\0")) {
            if (kv.startsWith("TargetName=")) {
                names.add(kv.substring("TargetName=".length()));
            }
        }
        return names;
    }

    /** The key=value pairs of a login or text answer. */
    public static Map<String, String> keys(RawPdu pdu) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String kv : new String(pdu.data(), StandardCharsets.UTF_8).split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                keys.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return keys;
    }

    public void send(RawPdu pdu) throws IOException {
        out.write(pdu.toBytes());
        out.flush();
    }

    /** The next PDU, or empty once the target closed or reset the connection; a timeout fails. */
    public Optional<RawPdu> read() throws IOException {
        byte[] bhs = new byte[RawPdu.BHS_LENGTH];
        try {
            in.readFully(bhs);
            int ahs = (bhs[4] & 0xff) * 4;
            int dsl = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
            in.skipNBytes(ahs);
            byte[] data = new byte[dsl];
            in.readFully(data);
            in.skipNBytes(((dsl + 3) & ~3) - dsl);
            return Optional.of(new RawPdu(bhs, data));
        } catch (EOFException | SocketException e) {
            return Optional.empty();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("target neither answered nor closed within 10 s", e);
        }
    }

    private static void putLength(ByteBuffer b, int length) {
        b.put(5, (byte) (length >>> 16));
        b.put(6, (byte) (length >>> 8));
        b.put(7, (byte) length);
    }

    private static byte[] md5(int id, String secret, String challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) id);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            md5.update(HexFormat.of().parseHex(challenge.substring(2)));
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

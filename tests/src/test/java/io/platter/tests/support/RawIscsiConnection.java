package io.platter.tests.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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

    /**
     * Reads the next PDU; empty when the target closed (or reset) the connection. A read
     * timeout fails the test: the target neither answered nor closed.
     */
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
        } catch (EOFException e) {
            return Optional.empty();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("target neither answered nor closed within "
                    + socket.getSoTimeout() + " ms", e);
        } catch (SocketException e) {
            return Optional.empty(); // connection reset counts as closed
        }
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

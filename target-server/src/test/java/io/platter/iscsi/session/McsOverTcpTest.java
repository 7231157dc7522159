package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.config.Portal;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.server.IscsiServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * MC/S over real TCP on several event loops: the second connection is moved onto the session's
 * loop and commands spread over both connections are served in CmdSN order.
 */
class McsOverTcpTest {

    /** A blocking client connection that speaks PDUs through the target's own codec. */
    static final class Client implements AutoCloseable {
        final Socket socket = new Socket();
        final DataInputStream in;

        Client(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
        }

        void send(Pdu pdu) throws IOException {
            ByteBuf b = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false);
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                socket.getOutputStream().write(bytes);
            } finally {
                b.release();
            }
        }

        Pdu read() throws Exception {
            byte[] bhs = new byte[48];
            in.readFully(bhs);
            int dsl = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
            byte[] rest = new byte[(bhs[4] & 0xff) * 4 + ((dsl + 3) & ~3)];
            in.readFully(rest);
            ByteBuf all = Unpooled.wrappedBuffer(bhs, rest);
            return PduDecoder.decodeOne(all, false, false, 1 << 24);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static LoginResponse login(Client c, long isid, int tsih, int cid) throws Exception {
        c.send(new LoginRequest(true, false, 1, 3, 0, 0, isid, tsih, cid, cid, 1, 0,
                Initiator.text(Initiator.keys("InitiatorName", Initiator.INITIATOR, "TargetName", Server.TARGET,
                        "MaxConnections", "4"))));
        LoginResponse r = (LoginResponse) c.read();
        r.release();
        return r;
    }

    @Test
    void twoConnectionsOnDifferentLoopsShareOneSession() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        Server fixture = new Server(ServerLimits.defaults(), pool);
        try (IscsiServer real = new IscsiServer(fixture.targets, ServerLimits.defaults(), 4)) {
            {
                int port;
                try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = probe.getLocalPort();
                }
                real.bind(List.of(new Portal("127.0.0.1", port)));
                // Several connections so that at least one lands on another loop than the first.
                try (Client a = new Client(port); Client b = new Client(port); Client c = new Client(port)) {
                    LoginResponse ra = login(a, 0x11, 0, 1);
                    assertThat(ra.statusClass()).isZero();
                    assertThat(login(b, 0x11, ra.tsih(), 2).tsih()).isEqualTo(ra.tsih());
                    assertThat(login(c, 0x11, ra.tsih(), 3).tsih()).isEqualTo(ra.tsih());
                    assertThat(real.sessions().all()).singleElement()
                            .satisfies(s -> {
                                assertThat(s.connections()).hasSize(3);
                                assertThat(s.connections()).allSatisfy(
                                        conn -> assertThat(conn.channel().eventLoop()).isSameAs(s.loop()));
                            });
                    // The first command of the new I_T nexus reports POWER ON, RESET (SAM-5 §5.14).
                    a.send(Initiator.testUnitReady(0x99, 1));
                    Pdu ua = a.read();
                    assertThat(ua).isInstanceOf(ScsiResponsePdu.class);
                    ua.release();
                    for (int round = 0; round < 20; round++) {
                        int base = 2 + round * 3;
                        c.send(Initiator.read10(0x300 + round, base + 2, 1));
                        b.send(Initiator.testUnitReady(0x200 + round, base + 1));
                        a.send(Initiator.read10(0x100 + round, base, 1));
                        Pdu pa = a.read();
                        Pdu pb = b.read();
                        Pdu pc = c.read();
                        assertThat(pa).isInstanceOfSatisfying(DataIn.class,
                                d -> assertThat(d.itt()).isEqualTo(0x100 + (base - 2) / 3));
                        assertThat(pb).isInstanceOf(ScsiResponsePdu.class);
                        assertThat(pc).isInstanceOf(DataIn.class);
                        assertThat(((DataIn) pc).expCmdSn()).isGreaterThanOrEqualTo(base + 3);
                        pa.release();
                        pb.release();
                        pc.release();
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}

package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.tests.support.TcpRelay;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay that stands for a cuttable network path in the multipath VM test. */
@Timeout(30)
class TcpRelayTest {

    @Test
    void relaysBothWaysUntilClosedThenResetsAndRefuses() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> echoOnce(echo));
            server.setDaemon(true);
            server.start();
            TcpRelay relay = TcpRelay.start(echo.getLocalPort());
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(readFully(client.getInputStream(), 4), StandardCharsets.US_ASCII))
                        .isEqualTo("ping");
                assertThat(relay.accepted()).isEqualTo(1);

                relay.close();

                assertThatThrownBy(() -> {
                    client.getOutputStream().write(new byte[1]);
                    client.getOutputStream().flush();
                    if (client.getInputStream().read() < 0) {
                        throw new IOException("end of stream");
                    }
                }).as("the relayed connection is gone").isInstanceOf(IOException.class);
            }
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), relay.port()).close())
                    .as("new connections are refused").isInstanceOf(IOException.class);
        }
    }

    private static void echoOnce(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            byte[] b = new byte[1024];
            int n;
            while ((n = in.read(b)) >= 0) {
                s.getOutputStream().write(b, 0, n);
            }
        } catch (IOException e) {
            // the relay reset the connection
        }
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertThat(b).hasSize(n);
        return b;
    }
}

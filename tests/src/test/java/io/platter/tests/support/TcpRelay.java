package io.platter.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of one portal: one network path that a test can cut.
 * {@link #close()} stops listening and resets every relayed connection, so to the initiator the
 * portal is gone (established connections reset, new ones refused) while the daemon keeps
 * serving its other portals. Two daemon threads per connection copy the bytes.
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private TcpRelay(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
    }

    /** Starts relaying a free local port to {@code 127.0.0.1:targetPort}. */
    public static TcpRelay start(int targetPort) {
        try {
            ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            TcpRelay relay = new TcpRelay(listener, targetPort);
            Thread accept = new Thread(relay::acceptLoop, "relay-accept-" + listener.getLocalPort());
            accept.setDaemon(true);
            accept.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port the relay listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** How many connections the relay has accepted so far. */
    public int accepted() {
        return sockets.size() / 2;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                sockets.add(in);
                sockets.add(out);
                if (closed) {
                    reset(in);
                    reset(out);
                    return;
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[256 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the other direction or close() ended the connection
            } finally {
                reset(from);
                reset(to);
            }
        }, "relay-" + from.getPort() + "-" + to.getPort());
        t.setDaemon(true);
        t.start();
    }

    /** Cuts the path: no more connections, and the relayed ones are reset (SO_LINGER 0). */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(TcpRelay::reset);
    }

    private static void reset(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
                s.close();
            }
        } catch (IOException e) {
            // already gone
        }
    }
}

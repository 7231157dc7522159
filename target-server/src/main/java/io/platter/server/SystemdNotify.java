package io.platter.server;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) without libsystemd: one datagram of {@code KEY=VALUE} lines sent to the
 * AF_UNIX socket named by NOTIFY_SOCKET (a path, or an abstract name written with a leading
 * {@code @}). Java 17 has no unix datagram channels, so socket(2) and sendto(2) are bound with
 * JNA. Without NOTIFY_SOCKET (not started by systemd with Type=notify) it does nothing.
 */
public final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** sizeof(sockaddr_un.sun_path) on Linux. */
    private static final int SUN_PATH = 108;

    private interface C extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen)
                throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private SystemdNotify() {
    }

    /** Tells the service manager the daemon is ready (portals listening); false if not under systemd. */
    public static boolean ready(String status) {
        return notify("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid() + "\n");
    }

    /** Tells the service manager the daemon is stopping. */
    public static boolean stopping() {
        return notify("STOPPING=1\n");
    }

    private static boolean notify(String state) {
        Optional<String> socket = Optional.ofNullable(System.getenv("NOTIFY_SOCKET")).filter(s -> !s.isEmpty());
        if (socket.isEmpty()) {
            return false;
        }
        try {
            send(socket.get(), state);
            return true;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("sd_notify to {} failed: {}", socket.get(), e.toString());
            return false;
        }
    }

    /** Sends {@code state} as one datagram to {@code socket} (a path or {@code @abstract}). */
    static void send(String socket, String state) {
        C c = Native.load("c", C.class);
        byte[] address = sockaddrUn(socket);
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try {
            c.sendto(fd, message, new NativeLong(message.length), 0, address, address.length);
        } finally {
            c.close(fd);
        }
    }

    /** struct sockaddr_un: sa_family_t (host order), then the path; abstract names start with NUL. */
    static byte[] sockaddrUn(String socket) {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = path.length > 0 && path[0] == '@';
        if (path.length >= SUN_PATH) {
            throw new IllegalArgumentException("NOTIFY_SOCKET too long: " + socket);
        }
        // A filesystem path is NUL-terminated; an abstract name is exactly its bytes.
        byte[] address = new byte[2 + path.length + (abstractName ? 0 : 1)];
        short family = (short) AF_UNIX;
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            address[0] = (byte) family;
            address[1] = (byte) (family >> 8);
        } else {
            address[0] = (byte) (family >> 8);
            address[1] = (byte) family;
        }
        System.arraycopy(path, 0, address, 2, path.length);
        if (abstractName) {
            address[2] = 0;
        }
        return address;
    }
}

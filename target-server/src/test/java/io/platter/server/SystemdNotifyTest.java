package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams reach a receiving AF_UNIX socket, bound here with JNA as systemd would. */
class SystemdNotifyTest {

    private interface C extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrLen) throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final C LIBC = Native.load("c", C.class);
    private static final int MSG_DONTWAIT = 0x40;

    @TempDir
    Path dir;

    @Test
    void sendsOneDatagramToAPathSocket() {
        String path = dir.resolve("notify").toString();
        assertThat(roundTrip(path, "READY=1\nSTATUS=serving\n")).isEqualTo("READY=1\nSTATUS=serving\n");
    }

    @Test
    void sendsToAnAbstractSocket() {
        String name = "@platter-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        assertThat(roundTrip(name, "STOPPING=1\n")).isEqualTo("STOPPING=1\n");
    }

    @Test
    void theAddressIsFamilyThenPathThenNul() {
        byte[] a = SystemdNotify.sockaddrUn("/run/x");
        assertThat(a).hasSize(2 + 6 + 1);
        assertThat(a[0] | a[1]).isEqualTo(1); // AF_UNIX in either byte order
        assertThat(new String(a, 2, 6, StandardCharsets.US_ASCII)).isEqualTo("/run/x");
        assertThat(a[8]).isZero();
        byte[] abs = SystemdNotify.sockaddrUn("@x");
        assertThat(abs).hasSize(4);
        assertThat(abs[2]).isZero();
        assertThat(abs[3]).isEqualTo((byte) 'x');
    }

    private static String roundTrip(String socket, String state) {
        int fd = LIBC.socket(1, 2, 0);
        try {
            byte[] address = SystemdNotify.sockaddrUn(socket);
            LIBC.bind(fd, address, address.length);
            SystemdNotify.send(socket, state);
            byte[] buf = new byte[4096];
            int n = LIBC.recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).intValue();
            return new String(Arrays.copyOf(buf, n), StandardCharsets.UTF_8);
        } finally {
            LIBC.close(fd);
        }
    }
}

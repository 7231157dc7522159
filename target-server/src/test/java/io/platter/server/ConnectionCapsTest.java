package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The connection caps per source address and in all (issue 21 finding 8). */
class ConnectionCapsTest {

    private static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    @Test
    void eachAddressHasItsCapAndAllTogetherTheirs() throws UnknownHostException {
        ConnectionCaps caps = new ConnectionCaps(2, 3);
        assertThat(caps.admit(ip("127.0.0.2"))).isNull();
        assertThat(caps.admit(ip("127.0.0.2"))).isNull();
        assertThat(caps.admit(ip("127.0.0.2"))).contains("127.0.0.2", "limit 2");
        assertThat(caps.admit(ip("::1"))).isNull();
        assertThat(caps.admit(ip("127.0.0.3"))).contains("limit 3");
        assertThat(caps.count()).isEqualTo(3);
        caps.release(ip("127.0.0.2"));
        assertThat(caps.admit(ip("127.0.0.3"))).as("a released place is free again").isNull();
        assertThat(caps.admit(ip("127.0.0.2"))).contains("limit 3");
        caps.release(ip("127.0.0.2"));
        caps.release(ip("::1"));
        caps.release(ip("127.0.0.3"));
        assertThat(caps.count()).isZero();
        assertThat(caps.admit(ip("127.0.0.2"))).isNull();
        assertThat(caps.admit(ip("127.0.0.2"))).as("the address's count went back to zero").isNull();
    }
}

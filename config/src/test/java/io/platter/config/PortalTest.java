package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortalTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0:3260, 0.0.0.0, 3260, 0.0.0.0:3260",
        "192.0.2.10:860, 192.0.2.10, 860, 192.0.2.10:860",
        "[::1]:3260, ::1, 3260, [::1]:3260",
        "[::]:3261, ::, 3261, [::]:3261",
        "[FE80::1%eth0]:3260, fe80::1%eth0, 3260, [fe80::1%eth0]:3260",
        "San-1.Example.com:65535, san-1.example.com, 65535, san-1.example.com:65535",
        "localhost, localhost, 3260, localhost:3260",
        "[2001:db8::7], 2001:db8::7, 3260, [2001:db8::7]:3260",
    })
    void parsesAndPrints(String text, String host, int port, String printed) {
        Portal p = Portal.parse(text);
        assertThat(p.host()).isEqualTo(host);
        assertThat(p.port()).isEqualTo(port);
        assertThat(p.toString()).isEqualTo(printed);
        assertThat(Portal.parse(p.toString())).isEqualTo(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0.0.0.0:0", "0.0.0.0:65536", "0.0.0.0:", ":3260", "::1:3260",
        "[::1", "[::1]3260", "[nothost]:3260", "256.1.1.1:3260", "1.2.3:3260", "host_name:3260",
        "0.0.0.0:32a0", "-bad.example:3260"})
    void rejectsBadPortals(String text) {
        assertThatThrownBy(() -> Portal.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unbracketedIpv6GetsAHint() {
        assertThatThrownBy(() -> Portal.parse("::1:3260")).hasMessageContaining("[::1]:3260");
    }

    @Test
    void constructorChecksThePort() {
        assertThatThrownBy(() -> new Portal("0.0.0.0", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Portal.anyIpv4()).isEqualTo(new Portal("0.0.0.0", 3260));
    }
}

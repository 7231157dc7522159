package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IscsiNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "iqn.2026-11.io.platter:demo",
        "IQN.2001-04.com.Example:Storage.Disk2.sys1.xyz",
        "iqn.1998-01.com.vmware:esx-01:abc",
        "iqn.2001-04.com.example",
        "eui.02004567A425678D",
        "naa.52004567BA64678D",
        "naa.62004567BA64678D0123456789ABCDEF",
    })
    void acceptsValidNames(String name) {
        assertThat(IscsiNames.problem(name)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "demo                                  | must start with iqn.",
        "iqn.26-11.io.platter:demo             | yyyy-mm",
        "iqn.2026-13.io.platter:demo           | yyyy-mm",
        "iqn.2026-11:demo                      | yyyy-mm",
        "iqn.2026-11.:demo                     | reversed domain",
        "iqn.2026-11.io..platter:demo          | naming authority",
        "iqn.2026-11.io.platter:               | nothing after",
        "iqn.2026-11.io.platter:my disk        | ' ' is not allowed",
        "iqn.2026-11.io.platter:a_b            | '_' is not allowed",
        "eui.0200456                           | 16 hex digits",
        "eui.02004567A425678G                  | 16 hex digits",
        "naa.0123                              | 16 or 32",
    })
    void explainsInvalidNames(String name, String reason) {
        assertThat(IscsiNames.problem(name)).hasValueSatisfying(r -> assertThat(r).contains(reason));
    }

    @Test
    void limitsLengthTo223Bytes() {
        String base = "iqn.2026-11.io.platter:";
        assertThat(IscsiNames.problem(base + "x".repeat(223 - base.length()))).isEmpty();
        assertThat(IscsiNames.problem(base + "x".repeat(224 - base.length()))).hasValue("longer than 223 bytes");
    }

    @Test
    void normalizesToLowerCase() {
        assertThat(IscsiNames.normalize(" IQN.2026-11.IO.Platter:Demo ")).isEqualTo("iqn.2026-11.io.platter:demo");
    }

    /** RFC 3722 maps names to NFKC: a precomposed and a combining accent, or full-width letters, are one name. */
    @Test
    void normalizesUnicodeAsTheStringprepProfile() {
        String precomposed = "iqn.2026-11.io.platter:caf\u00e9";
        String combining = "IQN.2026-11.io.platter:CAFE\u0301";
        assertThat(IscsiNames.normalize(combining)).isEqualTo(precomposed);
        assertThat(IscsiNames.same(precomposed, combining)).isTrue();
        assertThat(IscsiNames.same("\uff49\uff51\uff4e.2026-11.io.platter:x", "iqn.2026-11.io.platter:x")).isTrue();
        assertThat(IscsiNames.same("iqn.2026-11.io.platter:a", "iqn.2026-11.io.platter:b")).isFalse();
        assertThat(IscsiNames.same(null, "iqn.2026-11.io.platter:a")).isFalse();
        assertThat(IscsiNames.problem(combining)).isEmpty();
    }

    @Test
    void configLookupsIgnoreCaseAndUnicodeForm() {
        PlatterConfig c = PlatterConfig.embeddedDefault(java.nio.file.Path.of("/tmp/platter-names"))
                .withTargets(java.util.List.of(new TargetConfig("iqn.2026-11.io.platter:Caf\u00e9", null,
                        java.util.List.of())));
        assertThat(c.target("IQN.2026-11.IO.PLATTER:CAFE\u0301")).isPresent();
        assertThat(c.target("iqn.2026-11.io.platter:cafe")).isEmpty();
    }
}

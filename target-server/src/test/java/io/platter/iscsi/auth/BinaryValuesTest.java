package io.platter.iscsi.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Binary and numerical values of RFC 7143 §6.1. */
class BinaryValuesTest {
    static final byte[] BYTES = {(byte) 0x8f, 0x3a, 0x1b, 0x2c, 0x4d, 0x5e, 0x6f, 0x70,
            (byte) 0x81, (byte) 0x92, (byte) 0xa3, (byte) 0xb4, (byte) 0xc5, (byte) 0xd6, (byte) 0xe7, (byte) 0xf8};

    @Test
    void hexAndBase64DecodeToTheSameBytes() throws Exception {
        assertThat(BinaryValues.decode("0x8f3a1b2c4d5e6f708192a3b4c5d6e7f8")).isEqualTo(BYTES);
        assertThat(BinaryValues.decode("0X8F3A1B2C4D5E6F708192A3B4C5D6E7F8")).isEqualTo(BYTES);
        assertThat(BinaryValues.decode("0bjzobLE1eb3CBkqO0xdbn+A==")).isEqualTo(BYTES);
        assertThat(BinaryValues.decode("0BjzobLE1eb3CBkqO0xdbn+A==")).isEqualTo(BYTES);
    }

    @Test
    void encodingsRoundTrip() throws Exception {
        assertThat(BinaryValues.hex(BYTES)).isEqualTo("0x8f3a1b2c4d5e6f708192a3b4c5d6e7f8");
        assertThat(BinaryValues.decode(BinaryValues.hex(BYTES))).isEqualTo(BYTES);
        assertThat(BinaryValues.decode(BinaryValues.base64(BYTES))).isEqualTo(BYTES);
    }

    @Test
    void oddHexDigitsImplyALeadingZero() throws Exception {
        assertThat(BinaryValues.decode("0xabc")).containsExactly(0x0a, 0xbc);
    }

    @Test
    void malformedValuesAreRefused() {
        for (String bad : new String[] {"", "0x", "abcd", "0xzz", "0b!!!", "0q1234", "0x" + "00".repeat(1025)}) {
            assertThatThrownBy(() -> BinaryValues.decode(bad)).as(bad)
                    .isInstanceOf(BinaryValues.BadValueException.class);
        }
    }

    @Test
    void numbers() {
        assertThat(BinaryValues.number("42")).isEqualTo(42L);
        assertThat(BinaryValues.number("0x2A")).isEqualTo(42L);
        assertThat(BinaryValues.number("-1")).isNull();
        assertThat(BinaryValues.number("0x-1")).isNull();
        assertThat(BinaryValues.number("4x")).isNull();
        assertThat(BinaryValues.number("")).isNull();
    }
}

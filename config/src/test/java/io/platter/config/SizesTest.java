package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "4096, 4096",
        "512M, 536870912",
        "10G, 10737418240",
        "1T, 1099511627776",
        "1k, 1024",
        "2 GiB, 2147483648",
        "3GB, 3221225472",
        "512B, 512",
        "0, 0",
    })
    void parsesBytesAndBinaryUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12Q", "-1G", "1.5G", "G", "10 G B", "1P", "0x10"})
    void rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsSizesBeyondLong() {
        assertThatThrownBy(() -> Sizes.parse("8388608T")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Sizes.parse("99999999999999999999")).hasMessageContaining("too large");
        assertThat(Sizes.parse("8388607T")).isEqualTo(8388607L << 40);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1000, 1000",
        "4096, 4K",
        "1073741824, 1G",
        "1610612736, 1536M",
        "1099511627776, 1T",
    })
    void formatsInTheLargestExactUnit(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }

    @Test
    void formatRejectsNegative() {
        assertThatThrownBy(() -> Sizes.format(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void formatThenParseIsIdentity(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long bytes) {
        assertThat(Sizes.parse(Sizes.format(bytes))).isEqualTo(bytes);
    }

    @Property
    void blockMultiplesRoundTrip(@ForAll @LongRange(min = 0, max = 1L << 40) long blocks) {
        long bytes = blocks * 512;
        String text = Sizes.format(bytes);
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
        assertThat(text.length()).isLessThanOrEqualTo(Long.toString(bytes).length());
    }
}

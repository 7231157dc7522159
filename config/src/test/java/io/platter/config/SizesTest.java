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
        "1giB, 1073741824",
        "1Gi, 1073741824",
        "1P, 1125899906842624",
        "512B, 512",
        "0, 0",
    })
    void parsesBytesAndBinaryUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    /** {@code GB} is SI (10^9), {@code G} and {@code GiB} binary (2^30): the documented table. */
    @ParameterizedTest
    @CsvSource({
        "1KB, 1000",
        "1MB, 1000000",
        "1GB, 1000000000",
        "3GB, 3000000000",
        "2 TB, 2000000000000",
        "1PB, 1000000000000000",
        "1kB, 1000",
    })
    void decimalUnitsArePowersOfTen(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
        assertThat(Sizes.parse("1G")).isEqualTo(Sizes.parse("1GiB")).isNotEqualTo(Sizes.parse("1GB"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12Q", "-1G", "+1G", "1.5G", "G", "10 G B", "0x10", "1E", "10Gb", "10b", "1gib", "1 GiBs"})
    void rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectionsSayWhy() {
        assertThatThrownBy(() -> Sizes.parse("10Gb")).hasMessageContaining("bits").hasMessageContaining("10GiB")
                .hasMessageContaining("10GB");
        assertThatThrownBy(() -> Sizes.parse("512b")).hasMessageContaining("512B for bytes");
        assertThatThrownBy(() -> Sizes.parse("1.5G")).hasMessageContaining("whole numbers").hasMessageContaining("1536M");
        assertThatThrownBy(() -> Sizes.parse("1.1K")).hasMessageContaining("not a whole number of bytes");
        assertThatThrownBy(() -> Sizes.parse("-1G")).hasMessageContaining("no sign");
        assertThatThrownBy(() -> Sizes.parse("12Q")).hasMessageContaining("unknown unit \"Q\"");
        assertThatThrownBy(() -> Sizes.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Sizes.parse("ten")).hasMessageContaining("not a size");
    }

    @ParameterizedTest
    @CsvSource({
        "20G, 4G, 21474836480",
        "+10G, 4G, 15032385536",
        "-1G, 4G, 3221225472",
        "+512, 1K, 1536",
        "-512M, 1G, 536870912",
    })
    void relativeSizesApplyToTheCurrentOne(String text, String current, long expected) {
        assertThat(Sizes.parseChange(text).applyTo(Sizes.parse(current))).isEqualTo(expected);
        assertThat(Sizes.parseChange(text).toString()).isEqualTo(text.replace("+512", "+512"));
    }

    @Test
    void relativeSizesRefuseNothingLeftAndOverflow() {
        assertThatThrownBy(() -> Sizes.parseChange("-1G").applyTo(1L << 30)).hasMessageContaining("leaves nothing");
        assertThatThrownBy(() -> Sizes.parseChange("-2G").applyTo(1L << 30)).hasMessageContaining("leaves nothing");
        assertThatThrownBy(() -> Sizes.parseChange("+8388607T").applyTo(1L << 40)).hasMessageContaining("too large");
        assertThatThrownBy(() -> Sizes.parseChange("+1.5G")).hasMessageContaining("1536M");
        assertThatThrownBy(() -> Sizes.parseChange("--1G")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Sizes.parseChange("1G").kind()).isEqualTo(Sizes.Change.Kind.ABSOLUTE);
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

package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.LoadPattern;
import org.junit.jupiter.api.Test;

/** The load test's slot patterns: each write's bytes are its own, and the tag is recoverable. */
class LoadPatternTest {

    @Test
    void aFilledSlotMatchesItsOwnWriteOnly() {
        byte[] b = new byte[2 * LoadPattern.SLOT];
        LoadPattern.fill(b, LoadPattern.SLOT, 5, 17, 42);
        assertThat(LoadPattern.mismatch(b, LoadPattern.SLOT, 5, 17, 42)).isEqualTo(-1);
        assertThat(LoadPattern.mismatch(b, LoadPattern.SLOT, 5, 17, 41)).as("older tag").isZero();
        assertThat(LoadPattern.mismatch(b, LoadPattern.SLOT, 5, 18, 42)).as("other slot").isZero();
        assertThat(LoadPattern.mismatch(b, LoadPattern.SLOT, 6, 17, 42)).as("other session").isZero();
        assertThat(LoadPattern.mismatch(b, 0, 5, 17, 0)).as("never written reads as zeros").isEqualTo(-1);
        assertThat(LoadPattern.tagOf(b, LoadPattern.SLOT, 5, 17)).isEqualTo(42);
        assertThat(LoadPattern.tagOf(b, 0, 5, 17)).isZero();
    }

    @Test
    void aTornSlotIsFoundAtTheFirstWrongByte() {
        byte[] b = new byte[LoadPattern.SLOT];
        LoadPattern.fill(b, 0, 1, 2, 3);
        b[1000] ^= 1;
        assertThat(LoadPattern.mismatch(b, 0, 1, 2, 3)).isEqualTo(1000 / 8 * 8);
        LoadPattern.fill(b, 0, 1, 2, 3);
        byte[] other = new byte[LoadPattern.SLOT];
        LoadPattern.fill(other, 0, 1, 2, 4);
        System.arraycopy(other, 2048, b, 2048, 2048); // second half from a later write
        assertThat(LoadPattern.mismatch(b, 0, 1, 2, 3)).isEqualTo(2048);
    }
}

package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Thin.ANCHOR;
import static io.platter.scsi.Thin.NDOB;
import static io.platter.scsi.Thin.UNMAP_BIT;
import static io.platter.scsi.Thin.block;
import static io.platter.scsi.Thin.writeSame10;
import static io.platter.scsi.Thin.writeSame16;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.scsi.vpd.BlockLimits;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WriteSameTest {

    private static byte[] repeated(byte[] block, int times) {
        byte[] all = new byte[block.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(block, 0, all, i * block.length, block.length);
        }
        return all;
    }

    @Test
    void writeSame10WritesTheBlockToEveryBlockOfTheRange() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            byte[] one = pattern(512, 11);
            Fixture.Result r = f.run(writeSame10(5, 7, 0), one).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(512);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 5 * 512, 12 * 512)).isEqualTo(repeated(one, 7));
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 5 * 512)).containsOnly(0);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 12 * 512, 64 * 512)).containsOnly(0);
        }
    }

    @Test
    void writeSame16LongerThanThePatternBufferIsWrittenInChunks() throws Exception {
        try (Fixture f = Fixture.threaded(4096)) {
            byte[] one = pattern(512, 5);
            f.run(writeSame16(100, 3000, 0), one).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 100 * 512, 3100 * 512)).isEqualTo(repeated(one, 3000));
            assertThat(f.device.bytes()[3100 * 512]).isZero();
            assertThat(f.device.cachedWrites.get()).isEqualTo(2); // 1 MiB + the rest
        }
    }

    @Test
    void unmapWithZerosDeallocatesOnAThinUnit() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 0, 64, 0), pattern(64 * 512, 1)).assertGood();
            f.run(writeSame10(8, 16, UNMAP_BIT), block(0)).assertGood();
            f.run(writeSame16(40, 4, UNMAP_BIT), block(0)).assertGood();
            assertThat(f.device.discards.get()).isEqualTo(2);
            assertThat(f.device.isMapped(7)).isTrue();
            assertThat(f.device.isMapped(8)).isFalse();
            assertThat(f.device.isMapped(23)).isFalse();
            assertThat(f.device.isMapped(24)).isTrue();
            assertThat(f.device.isMapped(43)).isFalse();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 8 * 512, 24 * 512)).containsOnly(0);
        }
    }

    @Test
    void unmapWithNonZeroDataWritesTheData() throws Exception {
        try (Fixture f = Fixture.thin(16)) {
            f.run(writeSame10(2, 3, UNMAP_BIT), block(0xA6)).assertGood();
            assertThat(f.device.discards.get()).isZero();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 2 * 512, 5 * 512)).containsOnly((byte) 0xA6);
            assertThat(f.device.isMapped(2)).isTrue();
        }
    }

    @Test
    void zerosWithoutUnmapAreWrittenOnAThinUnitAndZeroedByDiscardOnAThickOne() throws Exception {
        try (Fixture thin = Fixture.thin(16); Fixture thick = Fixture.direct(16)) {
            thin.run(writeSame10(0, 4, 0), block(0)).assertGood();
            assertThat(thin.device.discards.get()).isZero();
            assertThat(thin.device.isMapped(3)).isTrue();
            thick.run(rw10(0x2A, 0, 16, 0), pattern(16 * 512, 9)).assertGood();
            thick.run(writeSame10(0, 4, 0), block(0)).assertGood();
            assertThat(thick.device.discards.get()).isEqualTo(1);
            assertThat(Arrays.copyOfRange(thick.device.bytes(), 0, 4 * 512)).containsOnly(0);
            assertThat(thick.device.bytes()[4 * 512]).isEqualTo(pattern(16 * 512, 9)[4 * 512]);
        }
    }

    @Test
    void ndobWritesZerosWithoutDataOut() throws Exception {
        try (Fixture f = Fixture.thin(16)) {
            f.run(rw10(0x2A, 0, 16, 0), pattern(16 * 512, 2)).assertGood();
            Fixture.Result r = f.run(0, writeSame16(1, 2, NDOB), null).assertGood();
            assertThat(r.dataOutLength()).isZero();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 512, 3 * 512)).containsOnly(0);
            assertThat(f.device.isMapped(1)).isTrue();
            f.run(0, writeSame16(4, 2, NDOB | UNMAP_BIT), null).assertGood();
            assertThat(f.device.isMapped(4)).isFalse();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 4 * 512, 6 * 512)).containsOnly(0);
        }
    }

    @Test
    void cdbErrorsPointAtTheirField() throws Exception {
        try (Fixture f = Fixture.thin(16); Fixture thick = Fixture.direct(16)) {
            f.run(writeSame10(0, 1, ANCHOR), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
            f.run(writeSame10(0, 1, ANCHOR | UNMAP_BIT), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
            f.run(writeSame16(0, 1, ANCHOR), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
            f.run(writeSame10(0, 1, 0x20), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 5); // WRPROTECT
            f.run(writeSame10(0, 1, 0x01), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0); // no NDOB in (10)
            thick.run(writeSame10(0, 1, UNMAP_BIT), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 3);
            f.run(writeSame16(0, BlockLimits.MAX_WRITE_SAME_BLOCKS + 1L, 0), block(0))
                    .assertCheck(5, 0x24, 0).assertCdbPointer(10, -1);
            assertThat(f.device.cachedWrites.get() + f.device.discards.get()).isZero();
        }
    }

    @Test
    void zeroBlocksWritesFromTheLbaToTheEndOfTheMedium() throws Exception {
        // SBC-4 §5.44/§5.45 with WSNZ=0 (VPD B0h): NUMBER OF LOGICAL BLOCKS 0 means "through the last LBA".
        try (Fixture f = Fixture.direct(16)) {
            byte[] one = pattern(512, 3);
            f.run(writeSame10(10, 0, 0), one).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 10 * 512, 16 * 512)).isEqualTo(repeated(one, 6));
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 10 * 512)).containsOnly(0);
            f.run(writeSame16(15, 0, 0), block(0x5C)).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 15 * 512, 16 * 512)).containsOnly((byte) 0x5C);
            // An LBA past the last block has no "rest of the medium": LBA OUT OF RANGE.
            f.run(writeSame10(16, 0, 0), block(1)).assertCheck(5, 0x21, 0).assertNoPointer();
            f.run(writeSame16(-1L, 0, 0), block(1)).assertCheck(5, 0x21, 0).assertNoPointer();
        }
    }

    @Test
    void zeroBlocksWithARestBeyondMaximumWriteSameLengthIsInvalidFieldInCdb() throws Exception {
        int max = BlockLimits.MAX_WRITE_SAME_BLOCKS;
        try (Fixture f = Fixture.thin(max + 2)) {
            f.run(writeSame10(0, 0, 0), block(7)).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
            f.run(writeSame16(1, 0, UNMAP_BIT), block(0)).assertCheck(5, 0x24, 0).assertCdbPointer(10, -1);
            assertThat(f.device.cachedWrites.get() + f.device.discards.get()).isZero();
            // Exactly MAXIMUM WRITE SAME LENGTH blocks to the end is served.
            f.run(writeSame16(2, 0, 0), block(7)).assertGood();
            assertThat(f.device.bytes()[(max + 1) * 512]).isEqualTo((byte) 7);
            assertThat(f.device.bytes()[512]).isZero();
        }
    }

    @Test
    void aRangePastTheEndIsLbaOutOfRange() throws Exception {
        try (Fixture f = Fixture.thin(16)) {
            f.run(writeSame10(15, 2, 0), block(1)).assertCheck(5, 0x21, 0).assertNoPointer();
            f.run(writeSame10(0xFFFFFFFFL, 1, 0), block(1)).assertCheck(5, 0x21, 0);
            f.run(writeSame16(-1L, 1, UNMAP_BIT), block(0)).assertCheck(5, 0x21, 0);
            f.run(writeSame10(15, 1, 0), block(1)).assertGood();
        }
    }

    @Test
    void dataOutOfOtherThanOneBlockIsInvalidFieldInCdb() throws Exception {
        try (Fixture f = Fixture.thin(16)) {
            f.run(writeSame10(0, 1, UNMAP_BIT), new byte[256]).assertCheck(5, 0x24, 0).assertNoPointer();
            f.run(writeSame10(0, 1, UNMAP_BIT), new byte[1024]).assertCheck(5, 0x24, 0).assertNoPointer();
            f.run(0, writeSame16(0, 1, 0), null).assertCheck(5, 0x24, 0);
            assertThat(f.device.cachedWrites.get() + f.device.discards.get()).isZero();
        }
    }

    @Test
    void writeCacheDisabledMakesWritesAndDiscardsDurable() throws Exception {
        try (Fixture f = Fixture.thin(16)) {
            byte[] sense = f.run(cdb(0x1A, 0x08, 0x08, 0, 0xFF, 0)).assertGood().data();
            byte[] select = Arrays.copyOf(sense, sense.length);
            select[0] = 0;
            select[4 + 2] &= ~0x04; // clear WCE
            f.run(cdb(0x15, 0x10, 0, 0, select.length, 0), select).assertGood();
            f.run(writeSame10(0, 2, 0), block(7)).assertGood();
            assertThat(f.device.durableWrites.get()).isEqualTo(1);
            f.run(writeSame10(0, 2, UNMAP_BIT), block(0)).assertGood();
            byte[] list = Thin.unmapList(4, 1);
            f.run(Thin.unmap(list.length, 0), list).assertGood();
            assertThat(f.device.flushes.get()).isEqualTo(2);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }
}

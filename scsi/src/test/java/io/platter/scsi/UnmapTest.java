package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Thin.unmap;
import static io.platter.scsi.Thin.unmapList;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.scsi.vpd.BlockLimits;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UnmapTest {

    private static Fixture written(int blocks) {
        Fixture f = Fixture.thin(blocks);
        f.run(rw10(0x2A, 0, blocks, 0), pattern(blocks * 512, 3)).assertGood();
        return f;
    }

    @Test
    void unmapsEveryDescriptorAndTheBlocksReadAsZeros() throws Exception {
        try (Fixture f = written(64)) {
            byte[] list = unmapList(2, 1, 10, 4);
            Fixture.Result r = f.run(unmap(list.length, 0), list).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(list.length);
            assertThat(f.device.discards.get()).isEqualTo(2);
            byte[] expected = pattern(64 * 512, 3);
            Arrays.fill(expected, 2 * 512, 3 * 512, (byte) 0);
            Arrays.fill(expected, 10 * 512, 14 * 512, (byte) 0);
            assertThat(f.run(rw10(0x28, 0, 64, 0)).assertGood().data()).isEqualTo(expected);
            assertThat(f.device.isMapped(1)).isTrue();
            assertThat(f.device.isMapped(2)).isFalse();
            assertThat(f.device.isMapped(3)).isTrue();
            assertThat(f.device.isMapped(13)).isFalse();
            assertThat(f.device.isMapped(14)).isTrue();
        }
    }

    @Test
    void emptyListsAndZeroBlockDescriptorsDoNothing() throws Exception {
        try (Fixture f = written(16)) {
            f.run(unmap(0, 0), new byte[0]).assertGood();
            f.run(0, unmap(0, 0), null).assertGood();
            byte[] header = unmapList();
            f.run(unmap(header.length, 0), header).assertGood();
            byte[] atEnd = unmapList(16, 0);
            f.run(unmap(atEnd.length, 0), atEnd).assertGood();
            assertThat(f.device.discards.get()).isZero();
        }
    }

    @Test
    void aPartialLastDescriptorIsIgnored() throws Exception {
        try (Fixture f = written(16)) {
            byte[] list = Arrays.copyOf(unmapList(1, 1, 5, 1), 8 + 16 + 12);
            list[3] = 16 + 12; // UNMAP BLOCK DESCRIPTOR DATA LENGTH 28
            f.run(unmap(list.length, 0), list).assertGood();
            assertThat(f.device.isMapped(1)).isFalse();
            assertThat(f.device.isMapped(5)).isTrue();
        }
    }

    @Test
    void aListShorterThanItsHeaderIsParameterListLengthError() throws Exception {
        try (Fixture f = written(16)) {
            for (int n = 1; n < 8; n++) {
                f.run(unmap(n, 0), new byte[n]).assertCheck(5, 0x1A, 0).assertNoPointer();
            }
            // The CDB announces 24 bytes but the initiator sent only 4.
            f.run(unmap(24, 0), new byte[4]).assertCheck(5, 0x1A, 0);
            assertThat(f.device.discards.get()).isZero();
        }
    }

    @Test
    void descriptorDataLengthBeyondTheListPointsAtIt() throws Exception {
        try (Fixture f = written(16)) {
            byte[] list = unmapList(1, 1);
            list[3] = 32;
            f.run(unmap(list.length, 0), list).assertCheck(5, 0x26, 0).assertParameterPointer(2, -1);
            // The list is cut by the CDB's PARAMETER LIST LENGTH too.
            byte[] ok = unmapList(1, 1);
            f.run(unmap(16, 0), ok).assertCheck(5, 0x26, 0).assertParameterPointer(2, -1);
            assertThat(f.device.discards.get()).isZero();
        }
    }

    @Test
    void moreDescriptorsThanTheLimitPointAtTheDescriptorDataLength() throws Exception {
        try (Fixture f = written(512)) {
            long[] pairs = new long[2 * (BlockLimits.MAX_UNMAP_DESCRIPTORS + 1)];
            for (int i = 0; i < pairs.length / 2; i++) {
                pairs[2 * i] = i;
                pairs[2 * i + 1] = 1;
            }
            byte[] list = unmapList(pairs);
            f.run(unmap(list.length, 0), list).assertCheck(5, 0x26, 0).assertParameterPointer(2, -1);
            byte[] atLimit = unmapList(Arrays.copyOf(pairs, pairs.length - 2));
            f.run(unmap(atLimit.length, 0), atLimit).assertGood();
            assertThat(f.device.discards.get()).isEqualTo(BlockLimits.MAX_UNMAP_DESCRIPTORS);
        }
    }

    @Test
    void moreBlocksThanTheLimitPointAtTheDescriptorThatExceedsIt() throws Exception {
        try (Fixture f = written(16)) {
            byte[] list = unmapList(0, 1, 0, BlockLimits.MAX_UNMAP_BLOCKS);
            f.run(unmap(list.length, 0), list).assertCheck(5, 0x26, 0).assertParameterPointer(8 + 16 + 8, -1);
            assertThat(f.device.discards.get()).isZero();
        }
    }

    @Test
    void aRangePastTheEndIsLbaOutOfRangeAndNothingIsUnmapped() throws Exception {
        try (Fixture f = written(16)) {
            byte[] list = unmapList(0, 1, 15, 2);
            f.run(unmap(list.length, 0), list).assertCheck(5, 0x21, 0).assertNoPointer();
            byte[] negative = unmapList(-1, 1);
            f.run(unmap(negative.length, 0), negative).assertCheck(5, 0x21, 0);
            byte[] past = unmapList(17, 0);
            f.run(unmap(past.length, 0), past).assertCheck(5, 0x21, 0);
            assertThat(f.device.discards.get()).isZero();
            assertThat(f.device.isMapped(0)).isTrue();
        }
    }

    @Test
    void anchorIsNotSupported() throws Exception {
        try (Fixture f = written(16)) {
            byte[] list = unmapList(0, 1);
            f.run(unmap(list.length, 0x01), list).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);
        }
    }

    @Test
    void aThickUnitDoesNotKnowTheCommand() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            byte[] list = unmapList(0, 1);
            f.run(unmap(list.length, 0), list).assertCheck(5, 0x20, 0).assertNoPointer();
        }
    }
}

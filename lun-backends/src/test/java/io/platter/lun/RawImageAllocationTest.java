package io.platter.lun;

import static io.platter.lun.TestFiles.allocatedBytes;
import static io.platter.lun.TestFiles.patternBytes;
import static io.platter.lun.TestFiles.readBytes;
import static io.platter.lun.TestFiles.writePattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.BlockDevice.Extent;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparseness, preallocation, holes and extents, checked against what the file system reports. */
class RawImageAllocationTest {

    private static final long SIZE = 64L << 20;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void thinImageIsSparseAfterCreateAndAfterAFewWrites() throws Exception {
        Path file = dir.resolve("thin.img");
        try (RawImage image = RawImage.create(file, SIZE, false)) {
            assertThat(image.thin()).isTrue();
            assertThat(image.size()).isEqualTo(SIZE);
            assertThat(allocatedBytes(file)).isLessThan(64 * 1024);
            writePattern(image, 0, 4096, 1);
            writePattern(image, 32L << 20, 8192, 2);
            writePattern(image, SIZE - 4096, 4096, 3);
            image.flush();
            assertThat(allocatedBytes(file)).isBetween(16L * 1024, 1L << 20);
        }
    }

    @Test
    void allocatedBytesFollowsTheFileSystemAndFallsBackToTheSize() throws Exception {
        Path file = dir.resolve("thin.img");
        RawImage image = RawImage.create(file, SIZE, false);
        try (image) {
            assertThat(image.allocatedBytes()).isLessThan(64 * 1024);
            writePattern(image, 0, MIB, 5);
            image.flush();
            assertThat(image.allocatedBytes()).isEqualTo(allocatedBytes(file)).isGreaterThanOrEqualTo(MIB);
            assertThat(image.readOnly()).isFalse();
        }
        assertThat(image.allocatedBytes()).as("closed").isEqualTo(SIZE);
        try (RawImage ro = RawImage.open(file, true)) {
            assertThat(((BlockDevice) ro).readOnly()).isTrue();
        }
    }

    @Test
    void thickImageIsFullyAllocated() throws Exception {
        Path file = dir.resolve("thick.img");
        try (RawImage image = RawImage.create(file, SIZE, true)) {
            assertThat(image.thin()).isFalse();
            assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(SIZE);
            assertThat(readBytes(image, 1234567, 4096)).containsOnly(0);
            assertThat(image.extentAt(0)).isEqualTo(new Extent(0, SIZE, true));
        }
        try (RawImage reopened = RawImage.open(file, false)) {
            assertThat(reopened.thin()).as("provisioning guessed from the allocation").isFalse();
        }
    }

    @Test
    void discardPunchesAHoleInAThinImage() throws Exception {
        Path file = dir.resolve("thin.img");
        try (RawImage image = RawImage.create(file, SIZE, false)) {
            writePattern(image, 0, 8 * MIB, 4);
            image.flush();
            long before = allocatedBytes(file);
            assertThat(before).isGreaterThanOrEqualTo(8L * MIB);
            assertThat(image.extentAt(0)).isEqualTo(new Extent(0, 8L * MIB, true));

            image.discard(2 * MIB, 4 * MIB);
            image.flush();

            assertThat(allocatedBytes(file)).isLessThanOrEqualTo(before - 4L * MIB);
            assertThat(readBytes(image, 2 * MIB, 4 * MIB)).containsOnly(0);
            assertThat(readBytes(image, 2 * MIB - 512, 512)).isEqualTo(tail(patternBytes(2 * MIB, 4), 512));
            assertThat(image.extentAt(0)).isEqualTo(new Extent(0, 2L * MIB, true));
            assertThat(image.extentAt(2 * MIB)).isEqualTo(new Extent(2L * MIB, 4L * MIB, false));
            assertThat(image.extentAt(3 * MIB)).isEqualTo(new Extent(3L * MIB, 3L * MIB, false));
            assertThat(image.extentAt(6 * MIB)).isEqualTo(new Extent(6L * MIB, 2L * MIB, true));
            assertThat(image.extentAt(8 * MIB)).isEqualTo(new Extent(8L * MIB, SIZE - 8L * MIB, false));
        }
        try (RawImage reopened = RawImage.open(file, true)) {
            assertThat(reopened.thin()).as("provisioning guessed from the holes").isTrue();
        }
    }

    @Test
    void unalignedDiscardPunchesTheMiddleAndZerosTheEdges() throws Exception {
        Path file = dir.resolve("thin.img");
        try (RawImage image = RawImage.create(file, SIZE, false)) {
            writePattern(image, 0, MIB, 5);
            image.discard(1000, 20000); // bytes 1000..20999: hole over 4096..20479, zeros at the edges
            byte[] want = patternBytes(MIB, 5);
            Arrays.fill(want, 1000, 21000, (byte) 0);
            assertThat(readBytes(image, 0, MIB)).isEqualTo(want);
            assertThat(image.extentAt(0)).isEqualTo(new Extent(0, 4096, true));
            assertThat(image.extentAt(4096)).isEqualTo(new Extent(4096, 20480 - 4096, false));
            assertThat(image.extentAt(20480).mapped()).isTrue();
        }
    }

    @Test
    void discardInsideOneBlockOnlyZeros() throws Exception {
        try (RawImage image = RawImage.create(dir.resolve("thin.img"), SIZE, false)) {
            writePattern(image, 0, 8192, 6);
            image.discard(100, 200);
            byte[] want = patternBytes(8192, 6);
            Arrays.fill(want, 100, 300, (byte) 0);
            assertThat(readBytes(image, 0, 8192)).isEqualTo(want);
            assertThat(image.extentAt(0)).isEqualTo(new Extent(0, 8192, true));
        }
    }

    @Test
    void thickDiscardZerosButKeepsTheAllocation() throws Exception {
        Path file = dir.resolve("thick.img");
        try (RawImage image = RawImage.create(file, SIZE, true)) {
            writePattern(image, 0, 4 * MIB, 7);
            image.discard(1000, 3 * MIB);
            image.flush();
            byte[] want = patternBytes(4 * MIB, 7);
            Arrays.fill(want, 1000, 1000 + 3 * MIB, (byte) 0);
            assertThat(readBytes(image, 0, 4 * MIB)).isEqualTo(want);
            assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(SIZE);
            assertThat(image.extentAt(MIB).mapped()).isTrue();
        }
    }

    @Test
    void zeroFillFallbackAllocates() throws Exception {
        Path file = dir.resolve("zeros.img");
        java.nio.file.Files.createFile(file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            Preallocation.writeZeros(ch, 3 * MIB + 512);
        }
        assertThat(java.nio.file.Files.size(file)).isEqualTo(3L * MIB + 512);
        assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(3L * MIB + 512);
        try (RawImage image = RawImage.open(file, true)) {
            assertThat(readBytes(image, 0, 3 * MIB + 512)).containsOnly(0);
        }
    }

    private static byte[] tail(byte[] bytes, int n) {
        return Arrays.copyOfRange(bytes, bytes.length - n, bytes.length);
    }
}

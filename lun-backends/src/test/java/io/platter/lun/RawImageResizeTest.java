package io.platter.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw images change size online: the file follows, data before the end stays. */
class RawImageResizeTest {

    @TempDir
    Path dir;

    @Test
    void thinGrowsSparselyAndShrinks() throws Exception {
        Path file = dir.resolve("thin.img");
        try (RawImage image = RawImage.create(file, 1 << 20, false)) {
            TestFiles.writePattern(image, 0, 4096, 7);
            image.resize(64L << 20);
            assertThat(image.size()).isEqualTo(64L << 20);
            assertThat(Files.size(file)).isEqualTo(64L << 20);
            assertThat(image.allocatedBytes()).isLessThan(1L << 20);
            TestFiles.writePattern(image, (64L << 20) - 4096, 4096, 8);
            image.resize(512 * 1024);
            assertThat(Files.size(file)).isEqualTo(512 * 1024);
            assertThatThrownBy(() -> image.read(512 * 1024, 512, io.netty.buffer.Unpooled.buffer()))
                    .isInstanceOf(BlockDeviceException.OutOfRange.class);
            assertThat(TestFiles.readBytes(image, 0, 4096)).isEqualTo(TestFiles.patternBytes(4096, 7));
        }
    }

    @Test
    void thickGrowthIsPreallocated() throws Exception {
        Path file = dir.resolve("thick.img");
        try (RawImage image = RawImage.create(file, 1 << 20, true)) {
            image.resize(8L << 20);
            assertThat(image.allocatedBytes()).isGreaterThanOrEqualTo(8L << 20);
        }
    }
}

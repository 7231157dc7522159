package io.platter.lun;

import static io.platter.lun.TestFiles.patternBytes;
import static io.platter.lun.TestFiles.readBytes;
import static io.platter.lun.TestFiles.writePattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawImageErrorsTest {

    private static final long SIZE = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void rangesOutsideTheDeviceAreOutOfRange() throws Exception {
        try (RawImage image = RawImage.create(dir.resolve("a.img"), SIZE, false)) {
            ByteBuf buf = Unpooled.buffer();
            ByteBuf two = Unpooled.wrappedBuffer(new byte[2]);
            try {
                assertThatThrownBy(() -> image.read(SIZE - 511, 512, buf))
                        .isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThatThrownBy(() -> image.read(-1, 1, buf)).isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThatThrownBy(() -> image.read(Long.MAX_VALUE, 1, buf))
                        .isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThat(buf.writerIndex()).as("nothing appended on failure").isZero();
                assertThatThrownBy(() -> image.write(SIZE - 1, two, false))
                        .isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThatThrownBy(() -> image.discard(SIZE - 512, 1024))
                        .isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThatThrownBy(() -> image.discard(0, -1)).isInstanceOf(BlockDeviceException.OutOfRange.class);
                assertThatThrownBy(() -> image.extentAt(SIZE)).isInstanceOf(BlockDeviceException.OutOfRange.class);
                image.read(SIZE - 512, 512, buf); // the last block is fine
                assertThat(buf.readableBytes()).isEqualTo(512);
            } finally {
                buf.release();
                two.release();
            }
            assertThat(Files.size(image.file())).as("no write past the end").isEqualTo(SIZE);
        }
    }

    @Test
    void readOnlyImageRefusesWritesAndDiscards() throws Exception {
        Path file = dir.resolve("ro.img");
        try (RawImage image = RawImage.create(file, SIZE, false)) {
            writePattern(image, 0, 512, 1);
        }
        try (RawImage image = RawImage.open(file, true)) {
            assertThat(image.readOnly()).isTrue();
            ByteBuf buf = Unpooled.wrappedBuffer(new byte[512]);
            try {
                assertThatThrownBy(() -> image.write(0, buf, false)).isInstanceOf(BlockDeviceException.ReadOnly.class);
            } finally {
                buf.release();
            }
            assertThatThrownBy(() -> image.discard(0, 4096)).isInstanceOf(BlockDeviceException.ReadOnly.class);
            assertThat(readBytes(image, 0, 512)).isEqualTo(patternBytes(512, 1));
            image.flush();
        }
    }

    @Test
    void createOverAnExistingFileFailsAndLeavesItAlone() throws Exception {
        Path file = dir.resolve("taken.img");
        byte[] content = patternBytes(1000, 3);
        Files.write(file, content);
        for (boolean thick : new boolean[] {false, true}) {
            assertThatThrownBy(() -> RawImage.create(file, SIZE, thick)).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(Files.readAllBytes(file)).isEqualTo(content);
        }
    }

    @Test
    void failedThickCreateLeavesNothingBehind() throws Exception {
        Path file = dir.resolve("huge.img");
        // 1 PiB exceeds every common file system's maximum file size: fallocate fails at once (EFBIG).
        assertThatThrownBy(() -> RawImage.create(file, 1L << 50, true)).isInstanceOf(BlockDeviceException.class);
        assertThat(file).doesNotExist();
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> RawImage.create(dir.resolve("x.img"), 1000, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RawImage.create(dir.resolve("x.img"), 0, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("x.img")).doesNotExist();
    }

    @Test
    void openRoundsDownAndRefusesFilesShorterThanABlock() throws Exception {
        Path tiny = dir.resolve("tiny.img");
        Files.write(tiny, new byte[511]);
        assertThatThrownBy(() -> RawImage.open(tiny, false))
                .isInstanceOf(BlockDeviceException.class)
                .hasMessageContaining("shorter than one 512-byte block");
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1500]);
        try (RawImage image = RawImage.open(odd, false)) {
            assertThat(image.size()).isEqualTo(1024);
        }
        assertThatThrownBy(() -> RawImage.open(dir.resolve("missing.img"), false)).isInstanceOf(IOException.class);
    }

    @Test
    void noSpaceIsRecognisedAndOtherErrorsAreMediumErrors() {
        assertThat(IoErrors.map("write", new IOException("No space left on device")))
                .isInstanceOf(BlockDeviceException.NoSpace.class).hasMessageContaining("write");
        assertThat(IoErrors.map("write", new IOException("Disk quota exceeded")))
                .isInstanceOf(BlockDeviceException.NoSpace.class);
        assertThat(IoErrors.map("fallocate", new Libc.ErrnoException("fallocate", Libc.ENOSPC)))
                .isInstanceOf(BlockDeviceException.NoSpace.class);
        assertThat(IoErrors.map("read", new IOException("Input/output error")))
                .isInstanceOf(BlockDeviceException.MediumError.class);
        BlockDeviceException already = new BlockDeviceException.ReadOnly("ro");
        assertThat(IoErrors.map("x", already)).isSameAs(already);
    }

    @Test
    void libcIsBoundOnLinux() {
        assertThat(Libc.available()).isEqualTo(System.getProperty("os.name").startsWith("Linux"));
        assertThat(Libc.strerror(Libc.ENOSPC)).containsIgnoringCase("space");
    }

    @Test
    void fstatAllocationMatchesStat() throws Exception {
        Path file = dir.resolve("s.img");
        try (RawImage image = RawImage.create(file, SIZE, false)) {
            writePattern(image, 0, 65536, 1);
            image.flush();
        }
        int fd = Libc.open(file, true);
        try {
            assertThat(Libc.allocatedBytes(fd)).isEqualTo(TestFiles.allocatedBytes(file)).isPositive();
        } finally {
            Libc.close(fd);
        }
        assertThatThrownBy(() -> Libc.open(dir.resolve("missing"), true))
                .isInstanceOf(Libc.ErrnoException.class)
                .satisfies(e -> assertThat(((Libc.ErrnoException) e).errno()).isEqualTo(2));
    }
}

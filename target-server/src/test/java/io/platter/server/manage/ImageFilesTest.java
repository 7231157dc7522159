package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thin copy used by volume import. */
class ImageFilesTest {

    @TempDir
    Path dir;

    @Test
    void copyKeepsContentAndLengthAndLeavesZerosAsHoles() throws Exception {
        Path src = dir.resolve("src.img");
        long length = 64L << 20;
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(length);
            f.seek(5L << 20);
            f.write(new byte[] {1, 2, 3});
        }
        Path dst = dir.resolve("dst.img");
        AtomicLong done = new AtomicLong();
        ImageFiles.copySparse(src, dst, done::set);
        assertThat(done.get()).isEqualTo(length);
        assertThat(Files.size(dst)).isEqualTo(length);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1);
        assertThat(Pool.allocatedBytes(dst)).as("allocated").isLessThan(8L << 20);
        assertThatThrownBy(() -> ImageFiles.copySparse(src, dst, d -> { }))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.size(dst)).as("an existing file is never touched").isEqualTo(length);
    }
}

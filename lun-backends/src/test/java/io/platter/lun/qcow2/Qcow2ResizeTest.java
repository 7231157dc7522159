package io.platter.lun.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.BlockDeviceException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Growing a qcow2 image online: qemu-img sees the new size, the old data and a clean image. */
class Qcow2ResizeTest {

    @TempDir
    Path dir;

    @Test
    void growKeepsDataAndExtendsTheL1Table() throws Exception {
        Path img = dir.resolve("grow.qcow2");
        byte[] a = Qcow2Tests.pattern(65536, 1);
        byte[] b = Qcow2Tests.pattern(65536, 2);
        long grown = 3L << 30;
        try (Qcow2Image image = Qcow2Image.create(img, 1L << 30)) {
            Qcow2Tests.write(image, (1L << 30) - 65536, a);
            image.resize(grown);
            assertThat(image.size()).isEqualTo(grown);
            // Past the old end, beyond the old L1 entries (each maps 512 MiB).
            Qcow2Tests.write(image, grown - 65536, b);
            assertThat(Qcow2Tests.read(image, (1L << 30) - 65536, 65536)).isEqualTo(a);
        }
        QemuImg.assertClean(img);
        assertThat(QemuImg.ok("qemu-img", "info", "--output=json", img.toString()))
                .contains("\"virtual-size\": " + grown);
        try (Qcow2Image image = Qcow2Image.open(img, true)) {
            assertThat(image.size()).isEqualTo(grown);
            assertThat(Qcow2Tests.read(image, grown - 65536, 65536)).isEqualTo(b);
        }
    }

    @Test
    void shrinkAndImagesWithSnapshotsAreRefused() throws Exception {
        try (Qcow2Image image = Qcow2Image.create(dir.resolve("s.qcow2"), 1L << 20)) {
            assertThatThrownBy(() -> image.resize(1L << 19)).isInstanceOf(BlockDeviceException.class)
                    .hasMessageContaining("shrinking");
            image.createSnapshot("s1");
            assertThatThrownBy(() -> image.resize(2L << 20)).isInstanceOf(BlockDeviceException.class)
                    .hasMessageContaining("snapshots");
            assertThat(image.size()).isEqualTo(1L << 20);
        }
    }
}

package io.platter.lun.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.BlockDevice.Extent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** New images: valid for qemu-img, read as zeros, report nothing mapped. */
class Qcow2CreateTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {9, 12, 16, 21})
    void createdImageIsCleanAndDescribedByQemuImg(int clusterBits) throws Exception {
        Path img = dir.resolve("new.qcow2");
        long size = 64L << 20;
        try (Qcow2Image image = Qcow2Image.create(img, size, clusterBits)) {
            assertThat(image.size()).isEqualTo(size);
            assertThat(image.thin()).isTrue();
        }
        QemuImg.assertClean(img);
        String info = QemuImg.ok("qemu-img", "info", "--output=json", img.toString());
        assertThat(info).contains("\"format\": \"qcow2\"")
                .contains("\"virtual-size\": " + size)
                .contains("\"cluster-size\": " + (1 << clusterBits))
                .contains("\"compat\": \"1.1\"");
    }

    @Test
    void emptyImageReadsZerosAndIsUnmapped() throws Exception {
        Path img = dir.resolve("zeros.qcow2");
        try (Qcow2Image image = Qcow2Image.create(img, 1 << 20)) {
            assertThat(Qcow2Tests.read(image, 4096, 70_000)).containsOnly(0);
            Extent e = image.extentAt(0);
            assertThat(e).isEqualTo(new Extent(0, 1 << 20, false));
        }
    }

    @Test
    void refusesToOverwriteAnExistingFile() throws Exception {
        Path img = dir.resolve("exists.qcow2");
        Files.writeString(img, "keep me");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Qcow2Image.create(img, 1 << 20))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readString(img)).isEqualTo("keep me");
    }
}

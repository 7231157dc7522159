package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.ok;
import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.BlockDeviceException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resize: grow (with and without a longer L1 table) and shrink (unused tail, forced), checked by qemu-img. */
class Qcow2ResizeTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    private static String virtualSize(Path img) throws Exception {
        return ok("qemu-img", "info", "--output=json", img.toString());
    }

    @Test
    void growWithinTheL1TableKeepsDataAndReadsZerosBeyond() throws Exception {
        Path img = dir.resolve("a.qcow2");
        byte[] data = pattern(70_000, 1);
        try (Qcow2Image q = Qcow2Image.create(img, 1 * MIB)) {
            write(q, 1 * MIB - 70_000, data);
            q.resize(64 * MIB, false);
            assertThat(q.size()).isEqualTo(64 * MIB);
            assertThat(read(q, 1 * MIB, 4096)).isEqualTo(new byte[4096]);
            write(q, 63 * MIB, data);
        }
        QemuImg.assertClean(img);
        assertThat(virtualSize(img)).contains("\"virtual-size\": " + 64 * MIB);
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            assertThat(q.size()).isEqualTo(64 * MIB);
            assertThat(read(q, 1 * MIB - 70_000, data.length)).isEqualTo(data);
            assertThat(read(q, 63 * MIB, data.length)).isEqualTo(data);
        }
    }

    @Test
    void growBeyondTheL1TableMovesItAndQemuReadsTheData() throws Exception {
        Path img = dir.resolve("b.qcow2");
        byte[] head = pattern(4096, 2);
        try (Qcow2Image q = Qcow2Image.create(img, 256 * MIB)) {
            write(q, 0, head);
            long oldL1 = q.header().l1TableOffset();
            q.resize(3 * GIB, false);
            assertThat(q.header().l1Size()).isEqualTo(6);
            assertThat(q.header().l1TableOffset()).isNotEqualTo(oldL1);
            write(q, 3 * GIB - 4096, pattern(4096, 3));
            write(q, 0, head);
        }
        QemuImg.assertClean(img);
        assertThat(virtualSize(img)).contains("\"virtual-size\": " + 3 * GIB);
        QemuImg.io(img, "read -P 0 " + (2 * GIB) + " 65536");
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThat(read(q, 0, 4096)).isEqualTo(head);
            assertThat(read(q, 3 * GIB - 4096, 4096)).isEqualTo(pattern(4096, 3));
        }
        // qemu-img can keep working with what Platter grew
        ok("qemu-img", "resize", img.toString(), "4G");
        QemuImg.assertClean(img);
    }

    @Test
    void shrinkRefusesAMappedTailUnlessForced() throws Exception {
        Path img = dir.resolve("c.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, 64 * MIB)) {
            write(q, 0, pattern(4096, 4));
            write(q, 40 * MIB, pattern(4096, 5));
            q.resize(48 * MIB, false); // the tail past 40 MiB + 64 KiB is unused
            assertThat(q.size()).isEqualTo(48 * MIB);
            assertThatThrownBy(() -> q.resize(32 * MIB, false))
                    .isInstanceOf(BlockDeviceException.class).hasMessageContaining("mapped");
            assertThat(q.size()).isEqualTo(48 * MIB);
            q.resize(32 * MIB, true);
            assertThat(q.size()).isEqualTo(32 * MIB);
            q.resize(48 * MIB, false);
            assertThat(read(q, 40 * MIB, 4096)).as("discarded by the forced shrink").isEqualTo(new byte[4096]);
            assertThat(read(q, 0, 4096)).isEqualTo(pattern(4096, 4));
        }
        QemuImg.assertClean(img);
        assertThat(virtualSize(img)).contains("\"virtual-size\": " + 48 * MIB);
    }

    @Test
    void shrinkToAPartialClusterZerosItsTailForALaterGrow() throws Exception {
        Path img = dir.resolve("d.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, 1 * MIB)) {
            write(q, 0, pattern(65536, 6));
            q.resize(32768, true);
            q.resize(1 * MIB, false);
            assertThat(read(q, 0, 32768)).isEqualTo(Arrays.copyOf(pattern(65536, 6), 32768));
            assertThat(read(q, 32768, 32768)).isEqualTo(new byte[32768]);
        }
        QemuImg.assertClean(img);
    }

    @Test
    void shrinkIsRefusedWithSnapshotsAndOddSizesAlways() throws Exception {
        Path img = dir.resolve("e.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, 64 * MIB)) {
            q.createSnapshot("s");
            assertThatThrownBy(() -> q.resize(32 * MIB, true)).hasMessageContaining("snapshots");
            assertThatThrownBy(() -> q.resize(64 * MIB + 100, false)).hasMessageContaining("multiple of 512");
            q.resize(128 * MIB, false);
        }
        QemuImg.assertClean(img);
        assertThat(ok("qemu-img", "snapshot", "-l", img.toString())).contains("s");
    }
}

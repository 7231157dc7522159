package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.assertClean;
import static io.platter.lun.qcow2.QemuImg.assertSameAsRaw;
import static io.platter.lun.qcow2.QemuImg.io;
import static io.platter.lun.qcow2.QemuImg.ok;
import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.BlockDevice.Extent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Images made by qemu-img read back identically here; images written here pass qemu-img check and compare. */
class Qcow2InteropTest {

    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    /** The guest contents of {@code image} according to qemu-img. */
    private byte[] qemuContents(Path image) throws Exception {
        Path raw = dir.resolve(image.getFileName() + ".expected.raw");
        Files.deleteIfExists(raw);
        ok("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    private byte[] ourContents(Path image) throws Exception {
        try (Qcow2Image q = Qcow2Image.open(image, true)) {
            return read(q, 0, (int) q.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"4k", "64k", "2M"})
    void readsWhatQemuWrote(String clusterSize) throws Exception {
        Path img = dir.resolve("q.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-o", "cluster_size=" + clusterSize, img.toString(), String.valueOf(SIZE));
        io(img, "write -P 0x11 0 4096", "write -P 0x22 65024 5000", "write -P 0x33 3M 1M",
                "write -z 3M 64k", "write -P 0x44 7340032 1048576", "discard 7340032 65536", "write -P 0x55 8387584 512");
        byte[] expected = qemuContents(img);
        assertThat(expected).contains((byte) 0x33);
        assertThat(ourContents(img)).isEqualTo(expected);
    }

    @Test
    void readsCompressedClusters() throws Exception {
        Path raw = dir.resolve("src.raw");
        byte[] data = new byte[SIZE];
        for (int i = 0; i < data.length; i += 4096) {
            Arrays.fill(data, i, i + 2048, (byte) (i >>> 12));
            System.arraycopy(pattern(1024, i), 0, data, i + 2048, 1024);
        }
        Files.write(raw, data);
        Path img = dir.resolve("c.qcow2");
        ok("qemu-img", "convert", "-c", "-O", "qcow2", "-o", "cluster_size=4k", raw.toString(), img.toString());
        assertThat(Files.size(img)).as("compressed image size").isLessThan(SIZE / 2);
        assertThat(ourContents(img)).isEqualTo(data);
    }

    @Test
    void readsThroughRawAndQcow2BackingChains() throws Exception {
        Path base = dir.resolve("base.raw");
        byte[] baseData = pattern(SIZE / 2, 7); // shorter than the overlay: the rest reads as zeros
        Files.write(base, baseData);
        Path mid = dir.resolve("mid.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", mid.toString(), String.valueOf(SIZE));
        io(mid, "write -P 0x66 1M 100k", "write -z 2M 64k");
        Path top = dir.resolve("top.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-b", mid.toString(), "-F", "qcow2", top.toString(), String.valueOf(SIZE));
        io(top, "write -P 0x77 1050000 3000", "write -P 0x78 6M 4096");
        byte[] expected = qemuContents(top);
        assertThat(ourContents(top)).isEqualTo(expected);
        try (Qcow2Image q = Qcow2Image.open(top, true)) {
            assertThat(q.backingFile()).isEqualTo(mid.toString());
            assertThat(q.extentAt(0).mapped()).isTrue(); // backing data shows through
            assertThat(q.extentAt(2 << 20)).isEqualTo(new Extent(2 << 20, 65536, false)); // zero cluster in mid
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 12, 16})
    void ourWritesPassQemuCheckAndCompare(int clusterBits) throws Exception {
        Path img = dir.resolve("w.qcow2");
        byte[] model = new byte[SIZE];
        try (Qcow2Image q = Qcow2Image.create(img, SIZE, clusterBits)) {
            int[][] writes = {{0, 4096}, {65000, 70000}, {1 << 20, 1 << 20}, {SIZE - 513, 513}, {300, 10}, {65536, 65536}};
            int seed = 1;
            for (int[] w : writes) {
                byte[] data = pattern(w[1], seed++);
                write(q, w[0], data);
                System.arraycopy(data, 0, model, w[0], w[1]);
            }
            q.discard(1 << 20, 512 << 10);
            Arrays.fill(model, 1 << 20, (1 << 20) + (512 << 10), (byte) 0);
            q.discard(70_000, 3);
            Arrays.fill(model, 70_000, 70_003, (byte) 0);
            assertThat(read(q, 0, SIZE)).isEqualTo(model);
            // Discarded clusters are released on flush; the image is open here, so the check shares it (-U).
            assertThat(Qcow2Check.check(img, true).clean()).isFalse();
        }
        assertClean(img);
        assertThat(Qcow2Check.check(img).clean()).isTrue();
        Path raw = dir.resolve("model.raw");
        Files.write(raw, model);
        assertSameAsRaw(img, raw);
    }

    @Test
    void writesOverBackingAndCompressedClustersCopyOnWrite() throws Exception {
        Path base = dir.resolve("base.raw");
        byte[] model = pattern(SIZE, 3);
        Files.write(base, model);
        Path compressed = dir.resolve("compressed.qcow2");
        ok("qemu-img", "convert", "-c", "-O", "qcow2", base.toString(), compressed.toString());
        Path overlay = dir.resolve("overlay.qcow2");
        try (Qcow2Image q = Qcow2Image.create(overlay, SIZE, 16, "base.raw", "raw")) {
            byte[] data = pattern(1000, 9);
            write(q, 70_000, data);
            System.arraycopy(data, 0, model, 70_000, 1000);
            q.discard(1 << 20, 1 << 20); // zero clusters hide the backing file
            Arrays.fill(model, 1 << 20, 2 << 20, (byte) 0);
            assertThat(read(q, 0, SIZE)).isEqualTo(model);
        }
        assertClean(overlay);
        Path expected = dir.resolve("expected.raw");
        Files.write(expected, model);
        assertSameAsRaw(overlay, expected);

        byte[] cmodel = pattern(SIZE, 3);
        try (Qcow2Image q = Qcow2Image.open(compressed, false)) {
            byte[] data = pattern(100, 10);
            write(q, 4 << 20, data);
            System.arraycopy(data, 0, cmodel, 4 << 20, 100);
            q.discard(0, 65536);
            Arrays.fill(cmodel, 0, 65536, (byte) 0);
        }
        assertClean(compressed);
        Files.write(expected, cmodel);
        assertSameAsRaw(compressed, expected);
    }

    @Test
    void growsTheRefcountTableWithSmallClusters() throws Exception {
        Path img = dir.resolve("small.qcow2");
        long size = 64L << 20;
        try (Qcow2Image q = Qcow2Image.create(img, size, 9)) {
            int before = q.clusterMap().refcounts().tableClusters();
            byte[] data = pattern(1 << 20, 5);
            for (long at = 0; at < size; at += 4L << 20) {
                write(q, at, data);
            }
            assertThat(q.clusterMap().refcounts().tableClusters()).isGreaterThan(before);
            assertThat(read(q, 8L << 20, 1 << 20)).isEqualTo(data);
        }
        assertClean(img);
    }
}

package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.assertClean;
import static io.platter.lun.qcow2.QemuImg.assertSameAsRaw;
import static io.platter.lun.qcow2.QemuImg.io;
import static io.platter.lun.qcow2.QemuImg.ok;
import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revert restores the disk size its snapshot recorded (qcow2.txt "Snapshots", extra data
 * "virtual disk size"), across a grow and across a shrink, as {@code qemu-img snapshot -a} does;
 * qemu-img stays the oracle for the result.
 */
class Qcow2SnapshotResizeTest {

    /** 4 KiB clusters: one L1 entry maps 2 MiB, so these sizes need L1 tables of different lengths. */
    private static final int SMALL = 4 << 20;
    private static final int LARGE = 24 << 20;

    @TempDir
    Path dir;

    @Test
    void revertAcrossAGrowRestoresTheSnapshotsSizeAndData() throws Exception {
        Path img = dir.resolve("grow.qcow2");
        byte[] small = pattern(SMALL, 1);
        byte[] large = new byte[LARGE];
        try (Qcow2Image q = Qcow2Image.create(img, SMALL, 12)) {
            write(q, 0, small);
            q.createSnapshot("small");
            q.resize(LARGE, false);
            byte[] head = pattern(100_000, 2);
            byte[] tail = pattern(300_000, 3);
            write(q, 5_000, head);
            write(q, 20 << 20, tail);
            System.arraycopy(small, 0, large, 0, SMALL);
            System.arraycopy(head, 0, large, 5_000, head.length);
            System.arraycopy(tail, 0, large, 20 << 20, tail.length);
            q.createSnapshot("large");

            q.revertSnapshot("small");
            assertThat(q.size()).isEqualTo(SMALL);
            assertThat(read(q, 0, SMALL)).isEqualTo(small);
            assertThat(q.header().size()).isEqualTo(SMALL);
        }
        assertClean(img);
        assertThat(ok("qemu-img", "info", img.toString())).contains("(" + SMALL + " bytes)");
        assertSameAsRaw(img, raw("small.raw", small));

        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThat(q.size()).isEqualTo(SMALL);
            q.revertSnapshot("large");
            assertThat(q.size()).isEqualTo(LARGE);
            assertThat(read(q, 0, LARGE)).isEqualTo(large);
            write(q, 23 << 20, pattern(4096, 9)); // the grown area is writable after the revert
            System.arraycopy(pattern(4096, 9), 0, large, 23 << 20, 4096);
        }
        assertClean(img);
        assertThat(Qcow2Check.check(img).clean()).isTrue();
        assertSameAsRaw(img, raw("large.raw", large));
        String list = ok("qemu-img", "snapshot", "-l", img.toString());
        assertThat(list).contains("small").contains("large");
    }

    /** QEMU shrinks an image with snapshots; reverting to one taken before grows it back. */
    @Test
    void revertAcrossAShrinkByQemuRestoresTheLargerSize() throws Exception {
        Path img = dir.resolve("shrink.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-o", "cluster_size=4k", img.toString(), String.valueOf(LARGE));
        io(img, "write -P 0x11 0 1M", "write -P 0x22 20M 1M");
        ok("qemu-img", "snapshot", "-c", "before-shrink", img.toString());
        ok("qemu-img", "resize", "--shrink", img.toString(), String.valueOf(SMALL));
        io(img, "write -P 0x33 0 64k");
        byte[] expected = new byte[LARGE];
        Arrays.fill(expected, 0, 1 << 20, (byte) 0x11);
        Arrays.fill(expected, 20 << 20, 21 << 20, (byte) 0x22);

        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThat(q.size()).isEqualTo(SMALL);
            assertThat(q.snapshots().get(0).diskSize()).isEqualTo(LARGE);
            q.revertSnapshot("before-shrink");
            assertThat(q.size()).isEqualTo(LARGE);
            assertThat(read(q, 0, LARGE)).isEqualTo(expected);
        }
        assertClean(img);
        assertSameAsRaw(img, raw("before-shrink.raw", expected));
    }

    /** The other direction: what our grow leaves, qemu-img reverts across, to the same contents. */
    @Test
    void qemuRevertsOurSnapshotTakenBeforeAGrow() throws Exception {
        Path img = dir.resolve("ours.qcow2");
        byte[] small = pattern(SMALL, 4);
        try (Qcow2Image q = Qcow2Image.create(img, SMALL, 12)) {
            write(q, 0, small);
            q.createSnapshot("small");
            q.resize(LARGE, false);
            write(q, 0, pattern(LARGE, 5));
        }
        ok("qemu-img", "snapshot", "-a", "small", img.toString());
        assertClean(img);
        assertSameAsRaw(img, raw("qemu-small.raw", small));
    }

    private Path raw(String name, byte[] contents) throws Exception {
        Path raw = dir.resolve(name);
        Files.write(raw, contents);
        return raw;
    }
}

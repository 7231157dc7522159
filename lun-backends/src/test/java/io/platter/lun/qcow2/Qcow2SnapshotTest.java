package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.assertClean;
import static io.platter.lun.qcow2.QemuImg.assertSameAsRaw;
import static io.platter.lun.qcow2.QemuImg.io;
import static io.platter.lun.qcow2.QemuImg.ok;
import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.BlockDeviceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Internal snapshots interoperate with qemu-img snapshot -c/-l/-a/-d in both directions. */
class Qcow2SnapshotTest {

    private static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void ourSnapshotsAreListedRevertedAndDeletedByQemuImg() throws Exception {
        Path img = dir.resolve("s.qcow2");
        byte[] first = pattern(SIZE, 1);
        byte[] second = first.clone();
        try (Qcow2Image q = Qcow2Image.create(img, SIZE, 16)) {
            write(q, 0, first);
            Snapshot s = q.createSnapshot("before");
            assertThat(s.id()).isEqualTo("1");
            byte[] data = pattern(100_000, 2);
            write(q, 30_000, data);
            System.arraycopy(data, 0, second, 30_000, data.length);
            q.discard(2 << 20, 1 << 20);
            Arrays.fill(second, 2 << 20, 3 << 20, (byte) 0);
            q.createSnapshot("after");
            assertThat(read(q, 0, SIZE)).isEqualTo(second);
        }
        assertClean(img);
        String list = ok("qemu-img", "snapshot", "-l", img.toString());
        assertThat(list).contains("before").contains("after");
        Path raw = dir.resolve("expected.raw");

        ok("qemu-img", "snapshot", "-a", "before", img.toString());
        assertClean(img);
        Files.write(raw, first);
        assertSameAsRaw(img, raw);

        ok("qemu-img", "snapshot", "-a", "after", img.toString());
        ok("qemu-img", "snapshot", "-d", "before", img.toString());
        assertClean(img);
        Files.write(raw, second);
        assertSameAsRaw(img, raw);
    }

    /**
     * Creating a snapshot changes nothing the old image refers to until one header write (bytes
     * 40-71) switches over; the old metadata it frees afterwards reads as zeros. So the file as it
     * was before that write (a crash just before it) is the old image, whole, and qemu-img finds no
     * OFLAG_COPIED mismatch at either end.
     */
    @Test
    void snapshotCreateSwitchesOverInOneHeaderWrite() throws Exception {
        Path img = dir.resolve("shadow.qcow2");
        byte[] first = pattern(SIZE, 3);
        try (Qcow2Image q = Qcow2Image.create(img, SIZE, 12)) {
            write(q, 0, first);
            q.createSnapshot("one");
            write(q, 100_000, pattern(300_000, 4));
            q.flush();
            byte[] before = Files.readAllBytes(img);
            byte[] current = read(q, 0, SIZE);
            q.createSnapshot("two");
            byte[] after = Files.readAllBytes(img);
            int cluster = 1 << 12;
            for (int c = 0; c < before.length / cluster; c++) {
                byte[] was = Arrays.copyOfRange(before, c * cluster, (c + 1) * cluster);
                byte[] now = Arrays.copyOfRange(after, c * cluster, (c + 1) * cluster);
                if (Arrays.equals(was, now)) {
                    continue;
                }
                if (c == 0) {
                    Arrays.fill(was, 40, 72, (byte) 0);
                    Arrays.fill(now, 40, 72, (byte) 0);
                    assertThat(now).as("header outside bytes 40-71").isEqualTo(was);
                } else {
                    assertThat(now).as("cluster %d changed in place: only freed metadata may, as a hole", c)
                            .containsOnly((byte) 0);
                }
            }
            assertThat(read(q, 0, SIZE)).isEqualTo(current);
            write(q, 0, pattern(8192, 5));
        }
        assertClean(img);
        assertThat(ok("qemu-img", "snapshot", "-l", img.toString())).contains("one").contains("two");
    }

    @Test
    void qemuSnapshotsAreListedRevertedAndDeletedHere() throws Exception {
        Path img = dir.resolve("q.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-o", "cluster_size=4k", img.toString(), String.valueOf(SIZE));
        io(img, "write -P 0x11 0 1M");
        ok("qemu-img", "snapshot", "-c", "one", img.toString());
        io(img, "write -P 0x22 512k 1M", "discard 0 64k");
        ok("qemu-img", "snapshot", "-c", "two", img.toString());
        io(img, "write -P 0x33 0 4M");

        byte[] one = new byte[SIZE];
        Arrays.fill(one, 0, 1 << 20, (byte) 0x11);
        byte[] two = one.clone();
        Arrays.fill(two, 512 << 10, (512 << 10) + (1 << 20), (byte) 0x22);
        Arrays.fill(two, 0, 65536, (byte) 0);
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThat(q.snapshots()).extracting(Snapshot::name).containsExactly("one", "two");
            assertThat(q.snapshots().get(0).diskSize()).isEqualTo(SIZE);
            q.revertSnapshot("one");
            assertThat(read(q, 0, SIZE)).isEqualTo(one);
            write(q, 0, pattern(5000, 4)); // copy-on-write away from the snapshot
            System.arraycopy(pattern(5000, 4), 0, one, 0, 5000);
            q.revertSnapshot("2");
            assertThat(read(q, 0, SIZE)).isEqualTo(two);
            q.deleteSnapshot("one");
            assertThat(q.snapshots()).extracting(Snapshot::id).containsExactly("2");
            assertThatThrownBy(() -> q.revertSnapshot("one")).isInstanceOf(BlockDeviceException.class)
                    .hasMessageContaining("no snapshot 'one'");
            assertThatThrownBy(() -> q.createSnapshot("two")).hasMessageContaining("already exists");
        }
        assertClean(img);
        assertThat(ok("qemu-img", "snapshot", "-l", img.toString())).contains("two").doesNotContain("one");
        Path raw = dir.resolve("two.raw");
        Files.write(raw, two);
        assertSameAsRaw(img, raw);
        assertThat(Qcow2Check.check(img).clean()).isTrue();
    }

    @Test
    void deletingEverySnapshotLeavesNoLeaks() throws Exception {
        Path img = dir.resolve("d.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, SIZE, 12)) {
            write(q, 0, pattern(SIZE, 5));
            q.createSnapshot("a");
            write(q, 100, pattern(10_000, 6));
            q.createSnapshot("b");
            q.discard(0, SIZE);
            q.deleteSnapshot("a");
            q.deleteSnapshot("b");
            assertThat(read(q, 0, SIZE)).containsOnly(0);
        }
        assertClean(img);
        Qcow2Check.Report report = Qcow2Check.check(img);
        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(ok("qemu-img", "info", img.toString())).doesNotContain("Snapshot list");
    }
}

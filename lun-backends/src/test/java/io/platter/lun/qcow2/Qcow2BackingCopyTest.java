package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.assertClean;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flatten, snapshot materialisation and group snapshots, checked with qemu-img check and compare. */
class Qcow2BackingCopyTest {

    private static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    private Path template(byte[] data) throws Exception {
        Path base = dir.resolve("base.qcow2");
        try (Qcow2Image q = Qcow2Image.create(base, SIZE, 16)) {
            write(q, 0, Arrays.copyOf(data, 1 << 20)); // the rest of the template reads zeros
        }
        return base;
    }

    @Test
    void flattenCopiesBackingDataKeepsOverlayWritesAndDropsTheBacking() throws Exception {
        byte[] expected = new byte[SIZE];
        System.arraycopy(pattern(1 << 20, 3), 0, expected, 0, 1 << 20);
        Path base = template(expected);
        Path clone = dir.resolve("clone.qcow2");
        AtomicLong done = new AtomicLong();
        try (Qcow2Image q = Qcow2Image.create(clone, SIZE, 16, "base.qcow2", "qcow2")) {
            byte[] mine = pattern(70_000, 9);
            write(q, 100_000, mine);
            System.arraycopy(mine, 0, expected, 100_000, mine.length);
            long before = Files.size(clone);
            q.flatten(done::set);
            assertThat(q.backingFile()).isNull();
            assertThat(q.header().hasBackingFile()).isFalse();
            assertThat(read(q, 0, SIZE)).isEqualTo(expected);
            // 14 clusters of backing data were copied (2 the overlay had already); the 3 MiB of zeros were not.
            assertThat(Files.size(clone) - before).as("clusters appended").isEqualTo(14L << 16);
        }
        assertThat(done.get()).isEqualTo(SIZE);
        Files.delete(base);
        assertClean(clone);
        assertThat(ok("qemu-img", "info", clone.toString())).doesNotContain("backing file");
        Path raw = dir.resolve("expected.raw");
        Files.write(raw, expected);
        QemuImg.assertSameAsRaw(clone, raw);
        try (Qcow2Image q = Qcow2Image.open(clone, false)) {
            assertThat(q.backingFile()).isNull();
            assertThat(read(q, 0, SIZE)).isEqualTo(expected);
        }
    }

    @Test
    void writesDuringAFlattenWin() throws Exception {
        byte[] base = pattern(SIZE, 5);
        Path basePath = dir.resolve("full.qcow2");
        try (Qcow2Image q = Qcow2Image.create(basePath, SIZE, 12)) {
            write(q, 0, base);
        }
        Path clone = dir.resolve("busy.qcow2");
        byte[] expected = base.clone();
        try (Qcow2Image q = Qcow2Image.create(clone, SIZE, 12, "full.qcow2", "qcow2")) {
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> writes = new ArrayList<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get() && i < 400; i++) {
                        long at = (i * 7919L * 512) % (SIZE - 8192);
                        write(q, at, pattern(6000, i));
                        synchronized (writes) {
                            writes.add(new long[] {at, i});
                        }
                    }
                } catch (BlockDeviceException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            q.flatten(d -> { });
            stop.set(true);
            writer.join();
            for (long[] w : writes) {
                System.arraycopy(pattern(6000, (int) w[1]), 0, expected, (int) w[0], 6000);
            }
            assertThat(read(q, 0, SIZE)).isEqualTo(expected);
        }
        Files.delete(basePath);
        assertClean(clone);
        Path raw = dir.resolve("busy.raw");
        Files.write(raw, expected);
        QemuImg.assertSameAsRaw(clone, raw);
    }

    @Test
    void flattenIsRefusedWithInternalSnapshots() throws Exception {
        template(pattern(SIZE, 1));
        try (Qcow2Image q = Qcow2Image.create(dir.resolve("s.qcow2"), SIZE, 16, "base.qcow2", "qcow2")) {
            q.createSnapshot("keep");
            assertThatThrownBy(() -> q.flatten(d -> { })).isInstanceOf(BlockDeviceException.class)
                    .hasMessageContaining("snapshots");
            assertThat(q.backingFile()).isEqualTo("base.qcow2");
        }
    }

    @Test
    void materialisedSnapshotHasTheSnapshotsDataOverTheSameBacking() throws Exception {
        byte[] baseData = new byte[SIZE];
        System.arraycopy(pattern(1 << 20, 2), 0, baseData, 0, 1 << 20);
        template(baseData);
        Path src = dir.resolve("src.qcow2");
        byte[] atSnapshot = baseData.clone();
        try (Qcow2Image q = Qcow2Image.create(src, SIZE, 16, "base.qcow2", "qcow2")) {
            byte[] a = pattern(300_000, 7);
            write(q, 2 << 20, a);
            System.arraycopy(a, 0, atSnapshot, 2 << 20, a.length);
            q.discard(0, 65536); // a zero cluster that hides the backing file
            Arrays.fill(atSnapshot, 0, 65536, (byte) 0);
            q.createSnapshot("s1");
            write(q, 0, pattern(SIZE, 8)); // the source moves on
            AtomicLong done = new AtomicLong();
            q.materialiseSnapshot("s1", dir.resolve("src--s1.qcow2"), done::set);
            assertThat(done.get()).isEqualTo(SIZE);
            assertThatThrownBy(() -> q.materialiseSnapshot("nope", dir.resolve("x.qcow2"), d -> { }))
                    .hasMessageContaining("no snapshot");
            assertThat(dir.resolve("x.qcow2")).doesNotExist();
        }
        Path t = dir.resolve("src--s1.qcow2");
        assertClean(t);
        try (Qcow2Image q = Qcow2Image.open(t, true)) {
            assertThat(q.backingFile()).isEqualTo("base.qcow2");
            assertThat(read(q, 0, SIZE)).isEqualTo(atSnapshot);
            assertThat(q.allocatedBytes()).as("thin: about the 300 KB written").isLessThan(1 << 20);
        }
        Path raw = dir.resolve("s1.raw");
        Files.write(raw, atSnapshot);
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "raw", t.toString(), raw.toString());
    }

    @Test
    void groupSnapshotsAreTakenOnEveryImageOrNone() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        try (Qcow2Image qa = Qcow2Image.create(a, SIZE, 16); Qcow2Image qb = Qcow2Image.create(b, SIZE, 16)) {
            write(qa, 0, pattern(4096, 1));
            write(qb, 0, pattern(4096, 2));
            List<Snapshot> taken = Qcow2Image.createSnapshots(List.of(qb, qa), "g1");
            assertThat(taken).extracting(Snapshot::name).containsExactly("g1", "g1");
            qb.createSnapshot("g2"); // b has g2 already: a group g2 must fail and leave a without it
            assertThatThrownBy(() -> Qcow2Image.createSnapshots(List.of(qa, qb), "g2"))
                    .isInstanceOf(BlockDeviceException.class);
            assertThat(qa.snapshots()).extracting(Snapshot::name).containsExactly("g1");
            assertThat(qb.snapshots()).extracting(Snapshot::name).containsExactly("g1", "g2");
        }
        assertClean(a);
        assertClean(b);
        io(a, "read -P 0 8192 4096");
    }
}

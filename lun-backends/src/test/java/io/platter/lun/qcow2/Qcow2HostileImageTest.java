package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.QemuImg.ok;
import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.BlockDeviceException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and hostile images are refused with a clear error, never read as garbage or allowed to allocate wildly. */
class Qcow2HostileImageTest {

    private static final int CLUSTER = 65536;

    @TempDir
    Path dir;

    private Path image() throws Exception {
        Path img = dir.resolve("h.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, 4 << 20)) {
            write(q, 0, pattern(4096, 1));
        }
        return img;
    }

    private static void poke(Path file, long offset, byte[] bytes) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    private static byte[] be64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] be32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private Header header(Path img) throws Exception {
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            return q.header();
        }
    }

    @Test
    void notQcow2() throws Exception {
        Path img = dir.resolve("junk");
        Files.write(img, pattern(1000, 1));
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("bad magic");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path img = image();
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength(80);
        }
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedTables() throws Exception {
        Path img = image();
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength(2L * CLUSTER); // header and refcount table only
        }
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("past the end of the file");
    }

    @Test
    void l1TablePastEndOfFile() throws Exception {
        Path img = image();
        poke(img, 40, be64(1L << 40));
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("L1 table").hasMessageContaining("past the end of the file");
    }

    @Test
    void hugeL1Size() throws Exception {
        Path img = image();
        poke(img, 36, be32(0x7fff_ffff));
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("larger than 32 MiB");
    }

    @Test
    void l1EntryPastEndOfFile() throws Exception {
        Path img = image();
        poke(img, header(img).l1TableOffset(), be64((1L << 40) | L1Entry.COPIED));
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("L1 entry 0");
    }

    @Test
    void dataClusterPastEndOfFileFailsTheRead() throws Exception {
        Path img = image();
        long l2 = ByteBuffer.wrap(Files.readAllBytes(img), (int) header(img).l1TableOffset(), 8).getLong() & L1Entry.OFFSET_MASK;
        poke(img, l2, be64((1L << 40) | L2Entry.COPIED));
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            assertThatThrownBy(() -> read(q, 0, 512)).isInstanceOf(Qcow2FormatException.class)
                    .hasMessageContaining("past the end of the file");
            assertThat(read(q, CLUSTER, 512)).containsOnly(0); // the rest of the image still reads
        }
        assertThat(Qcow2Check.check(img).corruptions()).isPositive();
    }

    @Test
    void refcountTablePastEndOfFileIsRefusedForWriting() throws Exception {
        Path img = image();
        poke(img, 48, be64(1L << 40));
        assertThatThrownBy(() -> Qcow2Image.open(img, false)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("refcount table");
    }

    @Test
    void unknownIncompatibleFeature() throws Exception {
        Path img = image();
        poke(img, 72, be64(1L << 4));
        assertThatThrownBy(() -> Qcow2Image.open(img, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("extended L2 entries");
    }

    @Test
    void dirtyImageOpensOnlyReadOnly() throws Exception {
        Path img = image();
        poke(img, 72, be64(1L));
        assertThatThrownBy(() -> Qcow2Image.open(img, false)).hasMessageContaining("dirty");
        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            assertThat(read(q, 0, 4096)).isEqualTo(pattern(4096, 1));
        }
    }

    /** Refcounts of one bit cannot count a snapshot's second reference: refused, and nothing changed. */
    @Test
    void refcountOverflowRefusesTheSnapshotAndChangesNothing() throws Exception {
        Path img = dir.resolve("onebit.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-o", "refcount_bits=1", img.toString(), "4M");
        QemuImg.io(img, "write -P 0x21 0 192k");
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThatThrownBy(() -> q.createSnapshot("s1")).isInstanceOf(BlockDeviceException.class)
                    .hasMessageContaining("would overflow 1 bits");
            assertThat(q.snapshots()).isEmpty();
            write(q, 65536, pattern(4096, 9));
            byte[] qemuData = new byte[4096];
            java.util.Arrays.fill(qemuData, (byte) 0x21);
            assertThat(read(q, 0, 4096)).isEqualTo(qemuData);
            assertThat(read(q, 65536, 4096)).isEqualTo(pattern(4096, 9));
        }
        QemuImg.assertClean(img);
    }

    @Test
    void backingFileLoops() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-u", "-b", "b.qcow2", "-F", "qcow2", a.toString(), "1M");
        ok("qemu-img", "create", "-f", "qcow2", "-u", "-b", "a.qcow2", "-F", "qcow2", b.toString(), "1M");
        assertThatThrownBy(() -> Qcow2Image.open(a, true)).isInstanceOf(Qcow2FormatException.class)
                .hasMessageContaining("backing file loop");
        Path self = dir.resolve("self.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-u", "-b", "self.qcow2", "-F", "qcow2", self.toString(), "1M");
        assertThatThrownBy(() -> Qcow2Image.open(self, false)).hasMessageContaining("backing file loop");
    }

    @Test
    void missingBackingFile() throws Exception {
        Path a = dir.resolve("orphan.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-u", "-b", "gone.raw", "-F", "raw", a.toString(), "1M");
        assertThatThrownBy(() -> Qcow2Image.open(a, true)).hasMessageContaining("does not exist");
    }

    @Test
    void checkerReportsLeaksAndCorruptions() throws Exception {
        Path img = image();
        Header h = header(img);
        long block = ByteBuffer.wrap(Files.readAllBytes(img), (int) h.refcountTableOffset(), 8).getLong();
        // The first free cluster after the image's metadata and data: give it a refcount (a leak).
        long clusters = Files.size(img) / CLUSTER;
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength((clusters + 1) * CLUSTER); // refcounts past the end of the file are not checked
        }
        poke(img, block + clusters * 2, new byte[] {0, 1});
        Qcow2Check.Report leak = Qcow2Check.check(img);
        assertThat(leak.leaks()).isEqualTo(1);
        assertThat(leak.corruptions()).isZero();
        assertThat(QemuImg.run("qemu-img", "check", img.toString()).output()).contains("1 leaked cluster");
        // Drop the header cluster's refcount to zero: a corruption for both checkers.
        poke(img, block, new byte[] {0, 0});
        Qcow2Check.Report bad = Qcow2Check.check(img);
        assertThat(bad.corruptions()).isEqualTo(1);
        assertThat(bad.problems()).anyMatch(p -> p.contains("cluster 0 refcount=0 reference=1"));
        assertThat(QemuImg.run("qemu-img", "check", img.toString()).exit()).isEqualTo(2);
    }

    @Test
    void repairLeaksFixesWhatQemuImgFixes() throws Exception {
        Path img = image();
        Header h = header(img);
        long block = ByteBuffer.wrap(Files.readAllBytes(img), (int) h.refcountTableOffset(), 8).getLong();
        long clusters = Files.size(img) / CLUSTER;
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength((clusters + 3) * CLUSTER);
        }
        for (int i = 0; i < 3; i++) {
            poke(img, block + (clusters + i) * 2, new byte[] {0, (byte) (i + 1)});
        }
        Path copy = dir.resolve("copy.qcow2");
        Files.copy(img, copy);
        QemuImg.Result qemu = QemuImg.run("qemu-img", "check", "-r", "leaks", copy.toString());
        assertThat(qemu.output()).contains("3 leaked clusters").contains("No errors were found");

        Qcow2Check.Repair repair = Qcow2Check.repairLeaks(img);
        assertThat(repair.found().leaks()).isEqualTo(3);
        assertThat(repair.leaksFixed()).isEqualTo(3);
        assertThat(repair.after().clean()).isTrue();
        QemuImg.assertClean(img);
        try (Qcow2Image q = Qcow2Image.open(img, true); Qcow2Image c = Qcow2Image.open(copy, true)) {
            assertThat(read(q, 0, 4096)).isEqualTo(read(c, 0, 4096));
        }
    }

    /** Found by Qcow2CrashIT: a kill after a cluster's refcount was set but before the file grew. */
    @Test
    void allocationSkipsRefcountsLeftPastTheEndOfTheFile() throws Exception {
        Path img = image();
        Header h = header(img);
        long block = ByteBuffer.wrap(Files.readAllBytes(img), (int) h.refcountTableOffset(), 8).getLong();
        long end = Files.size(img) / CLUSTER;
        poke(img, block + end * 2, new byte[] {0, 1});
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            write(q, 2L * CLUSTER, pattern(CLUSTER, 9));
            assertThat(read(q, 2L * CLUSTER, CLUSTER)).isEqualTo(pattern(CLUSTER, 9));
        }
        QemuImg.Result r = QemuImg.run("qemu-img", "check", img.toString());
        assertThat(r.output()).doesNotContain("ERROR");
        assertThat(r.exit()).as(r.output()).isIn(0, 3);
    }
}

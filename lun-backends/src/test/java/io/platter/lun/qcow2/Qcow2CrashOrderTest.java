package io.platter.lun.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Simulated power loss: every write to the image file is recorded, and at random barriers (and
 * between operations) a crash image is built from the file as of the last barrier plus a random
 * subset of the writes issued since, as a page cache may have persisted them. Each crash image
 * must pass {@code qemu-img check} (leaks allowed, no corruption) and every sector made durable
 * (flushed, or written with FUA) and not written since must read back.
 */
class Qcow2CrashOrderTest {

    private static final int SECTOR = 512;
    private static final long SIZE = 16L << 20;
    /** 4 KiB clusters: an L2 table maps 2 MiB, so writes add L2 tables and change L1 entries often. */
    private static final int CLUSTER_BITS = 12;
    private static final int OPS = 160;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void everyCrashImageChecksCleanAndKeepsDurableWrites(long seed) throws Exception {
        Random random = new Random(seed);
        Path image = dir.resolve("image.qcow2");
        Path shadow = dir.resolve("durable.img");
        Crashes crashes = new Crashes(random, shadow, dir.resolve("crash.qcow2"));
        byte[] current = new byte[(int) SIZE];
        try (Qcow2Image img = Qcow2Image.create(image, SIZE, CLUSTER_BITS, null, null)) {
            Files.copy(image, shadow, StandardCopyOption.REPLACE_EXISTING);
            img.imageFile().observe(crashes);
            int snapshots = 0;
            for (int op = 0; op < OPS; op++) {
                int kind = random.nextInt(100);
                long offset = (random.nextInt(10) < 6 ? random.nextLong(4L << 20) : random.nextLong(SIZE)) & ~(SECTOR - 1L);
                int length = (int) Math.min(SIZE - offset, (1 + random.nextInt(64)) * (long) SECTOR);
                if (kind < 60) {
                    boolean fua = random.nextInt(8) == 0;
                    byte[] data = Qcow2Tests.pattern(length, op + 1);
                    crashes.touch(offset, length);
                    write(img, offset, data, fua);
                    System.arraycopy(data, 0, current, (int) offset, length);
                    if (fua) {
                        crashes.durable(current, offset, length);
                    }
                } else if (kind < 75) {
                    crashes.touch(offset, length);
                    img.discard(offset, length);
                    Arrays.fill(current, (int) offset, (int) offset + length, (byte) 0);
                } else if (kind < 90) {
                    img.flush();
                    crashes.durable(current, 0, SIZE);
                } else if (kind < 95 && snapshots < 3) {
                    img.createSnapshot("s" + op);
                    snapshots++;
                } else if (snapshots > 0) {
                    img.deleteSnapshot(img.snapshots().get(random.nextInt(snapshots)).id());
                    snapshots--;
                }
                if (random.nextInt(10) == 0) {
                    crashes.check("after operation " + op);
                }
            }
        }
        assertThat(crashes.checked).as("crash images checked").isGreaterThan(20);
        assertThat(crashes.droppedWrites).as("crash images that lost un-forced writes").isPositive();
    }

    /**
     * Snapshot create, revert and delete are atomic: a crash at any barrier inside one, keeping
     * none, all or a random half of the writes issued since the previous barrier, leaves an image
     * that qemu-img check finds free of corruption and that shows either the state before the
     * operation or the state after it (snapshot list and active data), never a mixture.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void crashInsideSnapshotOperationsLeavesBeforeOrAfter(long seed) throws Exception {
        Random random = new Random(seed);
        Path image = dir.resolve("image.qcow2");
        Recorder recorder = new Recorder(random, dir.resolve("durable.img"), dir);
        int[] outcomes = new int[2];
        try (Qcow2Image img = Qcow2Image.create(image, SIZE, CLUSTER_BITS, null, null)) {
            Files.copy(image, recorder.shadow, StandardCopyOption.REPLACE_EXISTING);
            img.imageFile().observe(recorder);
            scribble(img, random, 0);
            List<String> ops = List.of("create a", "create b", "revert a", "create c", "delete b", "revert c",
                    "delete a", "delete c");
            for (int i = 0; i < ops.size(); i++) {
                img.flush();
                State before = State.of(img);
                recorder.armed = true;
                String[] op = ops.get(i).split(" ");
                switch (op[0]) {
                    case "create" -> img.createSnapshot(op[1]);
                    case "revert" -> img.revertSnapshot(op[1]);
                    default -> img.deleteSnapshot(op[1]);
                }
                recorder.crash();
                recorder.armed = false;
                State after = State.of(img);
                for (Path crash : recorder.takeCrashes()) {
                    outcomes[State.checkBetween(crash, before, after, ops.get(i))]++;
                    Files.delete(crash);
                }
                scribble(img, random, i + 1);
            }
        }
        assertThat(outcomes[0]).as("crash images showing the state before an operation").isPositive();
        assertThat(outcomes[1]).as("crash images showing the state after an operation").isPositive();
    }

    /** Writes a few patterns spread over the whole image, so the operations rewrite several L2 tables. */
    private static void scribble(Qcow2Image img, Random random, int round) throws Exception {
        for (int k = 0; k < 12; k++) {
            long offset = random.nextLong(SIZE - (64 << 10)) & ~(SECTOR - 1L);
            write(img, offset, Qcow2Tests.pattern((1 + random.nextInt(64)) * SECTOR, round * 100 + k + 1), false);
        }
        if (random.nextBoolean()) {
            img.discard(random.nextLong(SIZE / 2) & ~((1L << CLUSTER_BITS) - 1), 1L << (CLUSTER_BITS + 2));
        }
    }

    /** What an image shows: its snapshot names and its guest data. */
    private record State(List<String> snapshots, byte[] data) {
        static State of(Qcow2Image img) throws Exception {
            return new State(img.snapshots().stream().map(Snapshot::name).toList(), Qcow2Tests.read(img, 0, (int) SIZE));
        }

        boolean sameAs(State o) {
            return snapshots.equals(o.snapshots) && Arrays.equals(data, o.data);
        }

        /** Checks a crash image; returns 0 when it shows {@code before}, 1 when it shows {@code after}. */
        static int checkBetween(Path crash, State before, State after, String op) throws Exception {
            QemuImg.Result r = QemuImg.run("qemu-img", "check", crash.toString());
            assertThat(r.exit()).as("qemu-img check of %s during '%s':%n%s", crash, op, r.output()).isIn(0, 3);
            assertThat(r.output()).as("qemu-img check of %s during '%s'", crash, op).doesNotContain("ERROR");
            State got;
            try (Qcow2Image back = Qcow2Image.open(crash, true)) {
                got = of(back);
            }
            if (got.sameAs(before)) {
                return 0;
            }
            assertThat(got.sameAs(after)).as("%s during '%s' shows %s: neither the state before (%s) nor after (%s)",
                    crash, op, got.snapshots, before.snapshots, after.snapshots).isTrue();
            return 1;
        }
    }

    /** Keeps the durable file in step with the barriers and, while armed, saves crash images at each one. */
    private static final class Recorder implements ImageFile.Observer {
        private record Pending(long pos, byte[] data) { }

        private final Random random;
        final Path shadow;
        private final Path dir;
        private final List<Pending> pending = new ArrayList<>();
        private final List<Path> crashes = new ArrayList<>();
        boolean armed;

        Recorder(Random random, Path shadow, Path dir) {
            this.random = random;
            this.shadow = shadow;
            this.dir = dir;
        }

        @Override
        public void wrote(long pos, byte[] data) {
            pending.add(new Pending(pos, data));
        }

        @Override
        public void punched(long pos, long length) {
            pending.add(new Pending(pos, new byte[(int) length]));
        }

        @Override
        public void forcing() {
            try {
                if (armed) {
                    crash();
                }
                apply(shadow, pending, 1);
                pending.clear();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Saves three crash images: none, all and a random half of the writes since the last barrier. */
        void crash() throws IOException {
            for (int mode = 0; mode < 3; mode++) {
                Path c = dir.resolve("crash-" + crashes.size() + ".qcow2");
                Files.copy(shadow, c, StandardCopyOption.REPLACE_EXISTING);
                apply(c, pending, mode);
                crashes.add(c);
            }
        }

        private void apply(Path target, List<Pending> writes, int mode) throws IOException {
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                for (Pending p : writes) {
                    if (mode == 1 || (mode == 2 && random.nextBoolean())) {
                        f.seek(p.pos());
                        f.write(p.data());
                    }
                }
            }
        }

        List<Path> takeCrashes() {
            List<Path> out = List.copyOf(crashes);
            crashes.clear();
            return out;
        }
    }

    private static void write(Qcow2Image img, long offset, byte[] data, boolean fua) throws Exception {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
        try {
            img.write(offset, buf, fua);
        } finally {
            buf.release();
        }
    }

    /** The simulated disk: the durable file, the writes since the last barrier, and what the guest was promised. */
    private static final class Crashes implements ImageFile.Observer {
        private record Pending(long pos, byte[] data) { }

        private final Random random;
        private final Path shadow;
        private final Path crash;
        private final List<Pending> pending = new ArrayList<>();
        /** Guest contents as of the last durable point, valid where {@code uncertain} is clear. */
        private final byte[] durable = new byte[(int) SIZE];
        /** Sectors written or discarded since they were last made durable. */
        private final BitSet uncertain = new BitSet();
        int checked;
        int droppedWrites;

        Crashes(Random random, Path shadow, Path crash) {
            this.random = random;
            this.shadow = shadow;
            this.crash = crash;
        }

        void touch(long offset, int length) {
            uncertain.set((int) (offset / SECTOR), (int) ((offset + length + SECTOR - 1) / SECTOR));
        }

        void durable(byte[] current, long offset, long length) {
            System.arraycopy(current, (int) offset, durable, (int) offset, (int) length);
            uncertain.clear((int) (offset / SECTOR), (int) ((offset + length) / SECTOR));
        }

        @Override
        public void wrote(long pos, byte[] data) {
            pending.add(new Pending(pos, data));
        }

        @Override
        public void punched(long pos, long length) {
            pending.add(new Pending(pos, new byte[(int) length]));
        }

        @Override
        public void forcing() {
            try {
                if (random.nextInt(3) == 0) {
                    check("at a barrier");
                }
                try (RandomAccessFile f = new RandomAccessFile(shadow.toFile(), "rw")) {
                    for (Pending p : pending) {
                        f.seek(p.pos());
                        f.write(p.data());
                    }
                }
                pending.clear();
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }

        /** Builds a crash image (durable file plus a random subset of pending writes) and checks it. */
        void check(String when) throws Exception {
            Files.copy(shadow, crash, StandardCopyOption.REPLACE_EXISTING);
            int mode = random.nextInt(4); // 0: none survive, 1: all survive, else each with probability 1/2
            int kept = 0;
            try (RandomAccessFile f = new RandomAccessFile(crash.toFile(), "rw")) {
                for (Pending p : pending) {
                    if (mode == 1 || (mode > 1 && random.nextBoolean())) {
                        f.seek(p.pos());
                        f.write(p.data());
                        kept++;
                    }
                }
            }
            if (kept < pending.size()) {
                droppedWrites++;
            }
            String what = when + " (" + kept + " of " + pending.size() + " un-forced writes kept)";
            QemuImg.Result r = QemuImg.run("qemu-img", "check", crash.toString());
            assertThat(r.exit()).as("qemu-img check %s:\n%s", what, r.output()).isIn(0, 3);
            assertThat(r.output()).as("qemu-img check %s", what).doesNotContain("ERROR");
            try (Qcow2Image back = Qcow2Image.open(crash, true)) {
                byte[] got = Qcow2Tests.read(back, 0, (int) SIZE);
                for (int s = uncertain.nextClearBit(0); s < SIZE / SECTOR; s = uncertain.nextClearBit(s + 1)) {
                    int from = s * SECTOR;
                    if (!Arrays.equals(got, from, from + SECTOR, durable, from, from + SECTOR)) {
                        throw new AssertionError("sector " + s + " lost durable data " + what);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("crash image does not open " + what, e);
            }
            checked++;
        }
    }
}

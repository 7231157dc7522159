package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random write/discard/snapshot/revert/delete/reopen/resize sequences against an in-memory model: every
 * read agrees with the model, and at the end qemu-img check is clean and qemu-img compare agrees.
 */
class Qcow2ModelPropertyTest {

    private static final int SIZE = 512 * 1024;
    private static final int MAX_IO = 40_000;

    sealed interface Op permits Write, Discard, TakeSnapshot, Revert, Delete, Reopen, Flush, GrowAndShrink { }

    record Write(int offset, int length, int seed) implements Op { }

    record Discard(int offset, int length) implements Op { }

    record TakeSnapshot() implements Op { }

    record Revert(int pick) implements Op { }

    record Delete(int pick) implements Op { }

    record Reopen() implements Op { }

    record Flush() implements Op { }

    /** Grows by {@code sectors} (writing into the new area), then force-shrinks back; without snapshots only. */
    record GrowAndShrink(int sectors) implements Op { }

    @Property(tries = 40)
    void qcow2AgreesWithModel(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int clusterChoice)
            throws Exception {
        int clusterBits = new int[] {9, 12, 16}[clusterChoice];
        Path dir = Files.createTempDirectory("platter-qcow2-model");
        Path img = dir.resolve("m.qcow2");
        byte[] model = new byte[SIZE];
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        int taken = 0;
        Qcow2Image q = Qcow2Image.create(img, SIZE, clusterBits);
        try {
            for (Op op : ops) {
                if (op instanceof Write w) {
                    byte[] data = pattern(w.length(), w.seed());
                    write(q, w.offset(), data);
                    System.arraycopy(data, 0, model, w.offset(), w.length());
                } else if (op instanceof Discard d) {
                    q.discard(d.offset(), d.length());
                    Arrays.fill(model, d.offset(), d.offset() + d.length(), (byte) 0);
                } else if (op instanceof TakeSnapshot) {
                    String name = "s" + taken++;
                    q.createSnapshot(name);
                    names.add(name);
                    contents.add(model.clone());
                } else if (op instanceof Revert r && !names.isEmpty()) {
                    int i = r.pick() % names.size();
                    q.revertSnapshot(names.get(i));
                    model = contents.get(i).clone();
                } else if (op instanceof Delete d && !names.isEmpty()) {
                    int i = d.pick() % names.size();
                    q.deleteSnapshot(names.remove(i));
                    contents.remove(i);
                } else if (op instanceof Reopen) {
                    q.close();
                    q = Qcow2Image.open(img, false);
                } else if (op instanceof Flush) {
                    q.flush();
                } else if (op instanceof GrowAndShrink g && names.isEmpty()) {
                    long grown = SIZE + 512L * g.sectors();
                    q.resize(grown, false);
                    assertThat(read(q, SIZE, 512 * g.sectors())).as("grown area").isEqualTo(new byte[512 * g.sectors()]);
                    write(q, grown - 512, pattern(512, g.sectors()));
                    q.resize(SIZE, true);
                }
                assertThat(read(q, 0, SIZE)).as("after %s", op).isEqualTo(model);
            }
            q.close();
            QemuImg.assertClean(img);
            assertThat(Qcow2Check.check(img).clean()).isTrue();
            String listed = QemuImg.ok("qemu-img", "snapshot", "-l", img.toString());
            names.forEach(n -> assertThat(listed).contains(n));
            Path raw = dir.resolve("model.raw");
            Files.write(raw, model);
            QemuImg.assertSameAsRaw(img, raw);
        } finally {
            q.close();
            deleteTree(dir);
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> offsets = Arbitraries.oneOf(
                Arbitraries.integers().between(0, SIZE - 1),
                Arbitraries.integers().between(0, SIZE / 4096 - 1).map(b -> b * 4096));
        Arbitrary<Op> write = offsets.flatMap(off -> Combinators.combine(
                        Arbitraries.integers().between(1, Math.min(MAX_IO, SIZE - off)),
                        Arbitraries.integers().between(1, 1_000_000))
                .as((len, seed) -> (Op) new Write(off, len, seed)));
        Arbitrary<Op> discard = offsets.flatMap(off -> Arbitraries.integers().between(0, Math.min(200_000, SIZE - off))
                .map(len -> (Op) new Discard(off, len)));
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 100);
        return Arbitraries.frequencyOf(
                        Tuple.of(8, write),
                        Tuple.of(3, discard),
                        Tuple.of(2, Arbitraries.just((Op) new TakeSnapshot())),
                        Tuple.of(2, pick.map(p -> (Op) new Revert(p))),
                        Tuple.of(1, pick.map(p -> (Op) new Delete(p))),
                        Tuple.of(1, Arbitraries.just((Op) new Reopen())),
                        Tuple.of(1, Arbitraries.just((Op) new Flush())),
                        Tuple.of(1, Arbitraries.integers().between(1, 2048).map(n -> (Op) new GrowAndShrink(n))))
                .list().ofMinSize(1).ofMaxSize(30);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

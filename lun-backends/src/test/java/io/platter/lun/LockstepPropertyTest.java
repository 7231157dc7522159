package io.platter.lun;

import static io.platter.lun.TestFiles.patternBytes;
import static io.platter.lun.TestFiles.readBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDevice.Extent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random write/discard/read sequences give the same bytes on a RawImage and a MemoryBlockDevice. */
class LockstepPropertyTest {

    private static final long SIZE = 256 * 1024;
    private static final int MAX_IO = 70_000;

    sealed interface Op permits Write, Discard, Read { }

    /** {@code kind}: 0 pooled direct, 1 heap, 2 composite of a direct and a heap part. */
    record Write(long offset, int length, int seed, int kind) implements Op { }

    record Discard(long offset, long length) implements Op { }

    record Read(long offset, int length) implements Op { }

    @Property(tries = 60)
    void rawImageAgreesWithMemory(@ForAll("ops") List<Op> ops, @ForAll boolean thick) throws Exception {
        Path dir = Files.createTempDirectory("platter-lockstep");
        try (MemoryBlockDevice model = new MemoryBlockDevice(SIZE);
             RawImage raw = RawImage.create(dir.resolve("disk.img"), SIZE, thick)) {
            for (Op op : ops) {
                apply(op, model, raw);
            }
            assertThat(readBytes(raw, 0, (int) SIZE)).isEqualTo(readBytes(model, 0, (int) SIZE));
            for (long at = 0; at < SIZE; ) {
                Extent extent = raw.extentAt(at);
                assertThat(extent.offset()).isEqualTo(at);
                assertThat(extent.length()).isPositive().isLessThanOrEqualTo(SIZE - at);
                if (!extent.mapped()) {
                    assertThat(readBytes(model, at, (int) extent.length())).as("unmapped %s", extent).containsOnly(0);
                }
                at += extent.length();
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void apply(Op op, BlockDevice model, BlockDevice raw) throws BlockDeviceException {
        if (op instanceof Write w) {
            ByteBuf src = buffer(w);
            try {
                model.write(w.offset(), src, false);
                raw.write(w.offset(), src, w.seed() % 5 == 0);
            } finally {
                src.release();
            }
        } else if (op instanceof Discard d) {
            model.discard(d.offset(), d.length());
            raw.discard(d.offset(), d.length());
        } else if (op instanceof Read r) {
            assertThat(readBytes(raw, r.offset(), r.length())).as("%s", r)
                    .isEqualTo(readBytes(model, r.offset(), r.length()));
        }
    }

    private static ByteBuf buffer(Write w) {
        byte[] bytes = patternBytes(w.length(), w.seed());
        switch (w.kind()) {
            case 0:
                return PooledByteBufAllocator.DEFAULT.directBuffer(w.length()).writeBytes(bytes);
            case 1:
                return Unpooled.wrappedBuffer(bytes);
            default:
                int half = w.length() / 2;
                CompositeByteBuf c = Unpooled.compositeBuffer();
                c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(half).writeBytes(bytes, 0, half));
                c.addComponent(true, Unpooled.wrappedBuffer(bytes, half, w.length() - half));
                return c;
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Long> offsets = Arbitraries.oneOf(
                Arbitraries.longs().between(0, SIZE - 1),
                Arbitraries.longs().between(0, SIZE / 4096 - 1).map(b -> b * 4096),
                Arbitraries.longs().between(0, SIZE / 512 - 1).map(b -> b * 512));
        Arbitrary<Op> write = offsets.flatMap(off -> Combinators.combine(
                        Arbitraries.integers().between(0, (int) Math.min(MAX_IO, SIZE - off)),
                        Arbitraries.integers().between(1, 1_000_000),
                        Arbitraries.integers().between(0, 2))
                .as((len, seed, kind) -> new Write(off, len, seed, kind)));
        Arbitrary<Op> discard = offsets.flatMap(off -> Arbitraries.longs().between(0, SIZE - off)
                .map(len -> new Discard(off, len)));
        Arbitrary<Op> read = offsets.flatMap(off -> Arbitraries.integers()
                .between(0, (int) Math.min(MAX_IO, SIZE - off)).map(len -> new Read(off, len)));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(4, write),
                        net.jqwik.api.Tuple.of(2, discard),
                        net.jqwik.api.Tuple.of(2, read))
                .list().ofMinSize(1).ofMaxSize(25);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package io.platter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.RawImage;
import io.platter.lun.qcow2.Qcow2Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The qcow2 backend against a raw thin image in process, without the network: 4 KiB reads and
 * overwrites and 1 MiB reads at random in 256 MiB written once in full (allocated clusters), and first writes of
 * 64 KiB clusters never written before (allocation), from 4 threads. The per-request cost of the
 * mapping (lock, L2 lookup) shows as the gap between the two formats.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(4)
public class Qcow2BackendBenchmark {

    private static final long SIZE = 4L << 30;
    private static final long ALLOCATED = 256L << 20;

    @Param({"raw", "qcow2"})
    public String format;

    private Path dir;
    private BlockDevice device;
    private final AtomicLong nextFresh = new AtomicLong(ALLOCATED);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("platter-qcow2-bench");
        device = format.equals("raw")
                ? RawImage.create(dir.resolve("raw.img"), SIZE, false)
                : Qcow2Image.create(dir.resolve("thin.qcow2"), SIZE);
        ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20).writeZero(1 << 20);
        try {
            chunk.setByte(0, 1);
            for (long pos = 0; pos < ALLOCATED; pos += chunk.readableBytes()) {
                device.write(pos, chunk, false);
            }
            device.flush();
        } finally {
            chunk.release();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        device.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Each thread's own buffers. */
    @State(Scope.Thread)
    public static class Buffers {
        ByteBuf block;
        ByteBuf cluster;
        ByteBuf mib;

        @Setup(Level.Trial)
        public void setUp() {
            block = PooledByteBufAllocator.DEFAULT.directBuffer(4096).writeZero(4096);
            cluster = PooledByteBufAllocator.DEFAULT.directBuffer(65536).writeZero(65536);
            mib = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            block.release();
            cluster.release();
            mib.release();
        }
    }

    private static long randomBlock() {
        return ThreadLocalRandom.current().nextLong(ALLOCATED >>> 12) << 12;
    }

    @Benchmark
    public int read4k(Buffers b) throws IOException {
        b.block.clear();
        device.read(randomBlock(), 4096, b.block);
        return b.block.getByte(0);
    }

    @Benchmark
    public int read1m(Buffers b) throws IOException {
        b.mib.clear();
        device.read(ThreadLocalRandom.current().nextLong(ALLOCATED >>> 20) << 20, 1 << 20, b.mib);
        return b.mib.getByte(0);
    }

    @Benchmark
    public void overwrite4k(Buffers b) throws IOException {
        device.write(randomBlock(), b.block, false);
    }

    @Benchmark
    public void allocate64k(Buffers b) throws IOException {
        long pos = nextFresh.getAndAdd(65536) % SIZE;
        device.write(pos, b.cluster, false);
    }
}

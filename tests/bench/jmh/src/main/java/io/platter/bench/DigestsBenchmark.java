package io.platter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.iscsi.pdu.Digests;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C digests (RFC 7143 §13.1) over a header (48 bytes), a 4 KiB and a 256 KiB data segment,
 * on direct pooled buffers as the server sees them, and on a two-component composite (a
 * segment split across reads).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DigestsBenchmark {

    @Param({"48", "4096", "262144"})
    public int length;

    private ByteBuf flat;
    private ByteBuf composite;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        flat = PooledByteBufAllocator.DEFAULT.directBuffer(length).writeBytes(bytes);
        int half = length / 2;
        composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(2)
                .addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(half).writeBytes(bytes, 0, half))
                .addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(length - half)
                        .writeBytes(bytes, half, length - half));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        flat.release();
        composite.release();
    }

    @Benchmark
    public int crc32c() {
        return Digests.crc32c(flat, 0, length, Digests.padding(length));
    }

    @Benchmark
    public int crc32cComposite() {
        return Digests.crc32c(composite, 0, length, Digests.padding(length));
    }
}

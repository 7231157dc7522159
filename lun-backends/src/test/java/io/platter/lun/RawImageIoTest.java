package io.platter.lun;

import static io.platter.lun.TestFiles.pattern;
import static io.platter.lun.TestFiles.patternBytes;
import static io.platter.lun.TestFiles.readBytes;
import static io.platter.lun.TestFiles.writePattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RawImageIoTest {

    private static final long SIZE = 4 << 20;

    @TempDir
    Path dir;
    private RawImage image;

    @BeforeEach
    void create() throws Exception {
        image = RawImage.create(dir.resolve("disk.img"), SIZE, false);
    }

    @AfterEach
    void close() throws Exception {
        image.close();
    }

    @ParameterizedTest
    @CsvSource({"0,512", "512,4096", "1,1", "4095,2", "65536,131072", "1000,70001", "4193792,512", "4194303,1"})
    void pooledDirectRoundTrip(long offset, int length) throws Exception {
        ByteBuf src = pattern(length, (int) offset);
        try {
            image.write(offset, src, false);
            assertThat(src.readerIndex()).isZero();
            assertThat(src.readableBytes()).isEqualTo(length);
        } finally {
            src.release();
        }
        assertThat(readBytes(image, offset, length)).isEqualTo(patternBytes(length, (int) offset));
    }

    @Test
    void heapRoundTripAppendsAfterExistingBytes() throws Exception {
        ByteBuf src = Unpooled.buffer(9000);
        src.writeBytes(patternBytes(9000, 7));
        src.readerIndex(100); // only the readable bytes are written
        ByteBuf dst = Unpooled.buffer(16);
        dst.writeInt(0xCAFEBABE);
        try {
            image.write(12345, src, false);
            assertThat(src.readerIndex()).isEqualTo(100);
            image.read(12345, 8900, dst);
            assertThat(dst.readableBytes()).isEqualTo(4 + 8900);
            assertThat(dst.readInt()).isEqualTo(0xCAFEBABE);
            byte[] got = new byte[8900];
            dst.readBytes(got);
            byte[] want = new byte[8900];
            System.arraycopy(patternBytes(9000, 7), 100, want, 0, 8900);
            assertThat(got).isEqualTo(want);
        } finally {
            src.release();
            dst.release();
        }
    }

    @Test
    void compositeSourceAndDestination() throws Exception {
        CompositeByteBuf src = Unpooled.compositeBuffer();
        src.addComponents(true, pattern(1000, 1), Unpooled.wrappedBuffer(patternBytes(3000, 2)), pattern(96, 3));
        CompositeByteBuf dst = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        dst.addComponent(true, pattern(10, 4));
        try {
            image.write(8192, src, true);
            assertThat(src.readerIndex()).isZero();
            image.read(8192, 4096, dst);
            assertThat(dst.readableBytes()).isEqualTo(10 + 4096);
            byte[] got = new byte[4096];
            dst.getBytes(10, got);
            ByteBuffer want = ByteBuffer.allocate(4096)
                    .put(patternBytes(1000, 1)).put(patternBytes(3000, 2)).put(patternBytes(96, 3));
            assertThat(got).isEqualTo(want.array());
        } finally {
            src.release();
            dst.release();
        }
    }

    @Test
    void unwrittenThinRangeReadsZeros() throws Exception {
        assertThat(readBytes(image, 1 << 20, 8192)).containsOnly(0);
    }

    @Test
    void readPastEndOfShortFileReturnsZeros() throws Exception {
        image.close();
        Path file = dir.resolve("short.img");
        Files.write(file, patternBytes(1024, 9));
        image = RawImage.open(file, false, true);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(700); // shrunk under the open device
        }
        byte[] got = readBytes(image, 0, 1024);
        assertThat(got).startsWith(java.util.Arrays.copyOf(patternBytes(1024, 9), 700));
        assertThat(java.util.Arrays.copyOfRange(got, 700, 1024)).containsOnly(0);
    }

    @Test
    void durableWritesAndFlushSurviveReopen() throws Exception {
        writePattern(image, 0, 4096, 11);
        image.flush();
        ByteBuf fua = pattern(512, 12);
        try {
            image.write(4096, fua, true);
        } finally {
            fua.release();
        }
        Path file = image.file();
        image.close();
        image = RawImage.open(file, true);
        assertThat(image.size()).isEqualTo(SIZE);
        assertThat(readBytes(image, 0, 4096)).isEqualTo(patternBytes(4096, 11));
        assertThat(readBytes(image, 4096, 512)).isEqualTo(patternBytes(512, 12));
    }

    @Test
    void concurrentWritersOnDisjointRanges() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    writePattern(image, seed * 65536L, 65536, seed);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int t = 0; t < 64; t++) {
            assertThat(readBytes(image, t * 65536L, 65536)).as("range %d", t).isEqualTo(patternBytes(65536, t));
        }
    }

    @Test
    void aPendingInterruptNeitherFailsTheCallNorIsLost() throws Exception {
        ByteBuf buf = pattern(512, 6);
        try {
            Thread.currentThread().interrupt();
            image.write(512, buf, true);
            assertThat(Thread.currentThread().isInterrupted()).as("flag kept for the caller").isTrue();
            assertThat(readBytes(image, 512, 512)).isEqualTo(patternBytes(512, 6));
            assertThat(Thread.interrupted()).isTrue();
        } finally {
            Thread.interrupted();
            buf.release();
        }
        assertThat(image.reopens()).as("the channel was never closed").isZero();
    }

    @Test
    void interruptsLandingMidCallAreAbsorbed() throws Exception {
        writePattern(image, 0, 65536, 8);
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread worker = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    assertThat(readBytes(image, 0, 65536)).isEqualTo(patternBytes(65536, 8));
                    writePattern(image, 131072 + (i % 16) * 4096L, 4096, i);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        worker.start();
        long until = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < until && worker.isAlive()) {
            worker.interrupt(); // lands before, during or after the worker's I/O calls
            java.util.concurrent.locks.LockSupport.parkNanos(50_000); // thousands a second, not a livelock
        }
        stop.set(true);
        worker.join();
        assertThat(failures).isEmpty();
        for (int i = 0; i < 4; i++) { // the main thread is unaffected too
            assertThat(readBytes(image, 0, 65536)).isEqualTo(patternBytes(65536, 8));
        }
        System.out.println("channel reopened " + image.reopens() + " times during the interrupt storm");
    }

    @Test
    void readIfCachedReadsWhatThePageCacheHoldsAndOtherwiseLeavesTheBufferAlone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Libc.noWaitReadAvailable(), "preadv2 bound");
        writePattern(image, 8192, 4096, 3); // a buffered write leaves the pages cached
        ByteBuf dst = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        ByteBuf heap = Unpooled.buffer(4096);
        try {
            dst.writeByte(0x55);
            assertThat(image.readIfCached(8192, 4096, dst)).isTrue();
            assertThat(dst.readableBytes()).isEqualTo(1 + 4096);
            assertThat(dst.readByte()).isEqualTo((byte) 0x55);
            byte[] got = new byte[4096];
            dst.readBytes(got);
            assertThat(got).isEqualTo(patternBytes(4096, 3));
            assertThat(image.readIfCached(8192, 4096, heap)).as("no memory address: declined").isFalse();
            assertThat(heap.writerIndex()).isZero();
            assertThatThrownBy(() -> image.readIfCached(SIZE - 512, 4096, dst))
                    .isInstanceOf(BlockDeviceException.OutOfRange.class);
            image.close();
            assertThat(image.readIfCached(8192, 4096, dst)).as("closed: declined").isFalse();
            assertThat(dst.writerIndex()).isEqualTo(1 + 4096);
        } finally {
            dst.release();
            heap.release();
        }
    }

    @Test
    void closedDeviceRefusesCalls() throws Exception {
        image.close();
        image.close(); // idempotent
        assertThatThrownBy(() -> readBytes(image, 0, 512)).isInstanceOf(BlockDeviceException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> image.flush()).isInstanceOf(BlockDeviceException.class);
    }
}

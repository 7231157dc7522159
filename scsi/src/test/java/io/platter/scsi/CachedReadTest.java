package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ForwardingDevice;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads a device can serve without waiting ({@link BlockDevice#readIfCached}) complete on the
 * calling thread; the others, and large ones, go to the unit's I/O executor.
 */
class CachedReadTest {

    private static final int BLOCKS = 512;
    private final MemoryDevice memory = new MemoryDevice(BLOCKS * 512, false);
    private final CachedDevice device = new CachedDevice(memory);
    private final AtomicInteger handedOff = new AtomicInteger();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScsiTarget target = new ScsiTarget("iqn.2024-01.io.platter:test", Fixture.ALLOC);

    CachedReadTest() {
        target.addLun(0, new LogicalUnit(new LunIdentity(Fixture.UUID_1), device, r -> {
            handedOff.incrementAndGet();
            pool.execute(r);
        }, Fixture.ALLOC));
        Fixture.clearUnitAttentions(target, 0);
        byte[] data = pattern(BLOCKS * 512, 5);
        System.arraycopy(data, 0, memory.bytes(), 0, data.length);
        handedOff.set(0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Starts READ(10); the future is already done when the read completed inline. */
    private CompletableFuture<ScsiResponse> read(long lba, int blocks) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x28, lba, blocks, 0), TaskAttribute.SIMPLE,
                blocks * 512, null), done::complete);
        return done;
    }

    private byte[] expected(long lba, int blocks) {
        return Arrays.copyOfRange(memory.bytes(), (int) lba * 512, (int) (lba + blocks) * 512);
    }

    @Test
    void aCachedReadCompletesOnTheCallingThreadWithoutTheExecutor() {
        CompletableFuture<ScsiResponse> done = read(3, 8);
        assertThat(done).as("completed before execute returned").isDone();
        Fixture.Result r = Fixture.await(done).assertGood();
        assertThat(r.data()).isEqualTo(expected(3, 8));
        assertThat(handedOff.get()).isZero();
        assertThat(device.cachedReads.get()).isEqualTo(1);
        assertThat(device.blockingReads.get()).isZero();
    }

    @Test
    void aDeclinedReadGoesToTheExecutorAndReadsTheSameData() {
        device.cached = false;
        Fixture.Result r = Fixture.await(read(3, 8)).assertGood();
        assertThat(r.data()).isEqualTo(expected(3, 8));
        assertThat(handedOff.get()).isEqualTo(1);
        assertThat(device.cachedReads.get()).as("asked first").isEqualTo(1);
        assertThat(device.blockingReads.get()).isEqualTo(1);
    }

    @Test
    void readsAbove64KiBAlwaysGoToTheExecutor() {
        Fixture.Result r = Fixture.await(read(0, 129)).assertGood();
        assertThat(r.data()).isEqualTo(expected(0, 129));
        assertThat(device.cachedReads.get()).isZero();
        assertThat(handedOff.get()).isEqualTo(1);
        Fixture.await(read(0, 128)).assertGood();
        assertThat(device.cachedReads.get()).isEqualTo(1);
        assertThat(handedOff.get()).isEqualTo(1);
    }

    @Test
    void aStorageErrorOfTheInlineAttemptBecomesCheckCondition() {
        memory.failNext = new BlockDeviceException.MediumError("bad sector", null);
        CompletableFuture<ScsiResponse> done = read(0, 1);
        assertThat(done).isDone();
        Fixture.Result r = Fixture.await(done);
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.senseKey()).as("MEDIUM ERROR").isEqualTo(3);
        assertThat(handedOff.get()).isZero();
        // the range lock was released: a write to the same blocks still runs
        ByteBuf data = Unpooled.wrappedBuffer(pattern(512, 9));
        CompletableFuture<ScsiResponse> write = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x2A, 0, 1, 0), TaskAttribute.SIMPLE, 0, data),
                write::complete);
        Fixture.await(write).assertGood();
        assertThat(Arrays.copyOf(memory.bytes(), 512)).isEqualTo(pattern(512, 9));
    }

    /** A {@link MemoryDevice} that says whether its data is cached and counts both kinds of read. */
    private static final class CachedDevice extends ForwardingDevice {
        final AtomicInteger cachedReads = new AtomicInteger();
        final AtomicInteger blockingReads = new AtomicInteger();
        volatile boolean cached = true;

        CachedDevice(MemoryDevice inner) {
            super(inner);
        }

        @Override
        public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
            cachedReads.incrementAndGet();
            if (!cached) {
                return false;
            }
            inner.read(offset, length, dst);
            return true;
        }

        @Override
        public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
            blockingReads.incrementAndGet();
            inner.read(offset, length, dst);
        }
    }
}

package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replacement of the medium's contents (a forced snapshot revert) is not overwritten by writes
 * that were issued before it: one queued for I/O finds a newer epoch and fails with UNIT
 * ATTENTION (not executed, so the initiator retries); one running is waited for; later ones run.
 */
class MediumFenceTest {

    private static final int BLOCKS = 64;
    private final MemoryDevice memory = new MemoryDevice(BLOCKS * 512, false);
    private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScsiTarget target = new ScsiTarget("iqn.2024-01.io.platter:test", Fixture.ALLOC);
    private final LogicalUnit unit;

    MediumFenceTest() {
        // I/O waits in a queue until the test lets it run.
        unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), memory, queued::add, Fixture.ALLOC);
        target.addLun(0, unit);
        Fixture.clearUnitAttentions(target, 0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private CompletableFuture<ScsiResponse> write(long lba, byte[] data) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x2A, lba, data.length / 512, 0),
                TaskAttribute.SIMPLE, data.length, Unpooled.wrappedBuffer(data)), done::complete);
        return done;
    }

    private void runQueued() {
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void aWriteQueuedBeforeTheReplacementDoesNotLandAfterIt() {
        byte[] stale = pattern(4096, 1);
        CompletableFuture<ScsiResponse> before = write(0, stale);
        assertThat(queued).as("the write waits for the I/O executor").hasSize(1);

        byte[] reverted = pattern(BLOCKS * 512, 9);
        unit.replaceMedium(() -> System.arraycopy(reverted, 0, memory.bytes(), 0, reverted.length));
        runQueued();

        Fixture.await(before).assertCheck(0x6, 0x29, 0x00);
        assertThat(memory.bytes()).as("the replaced contents, untouched").isEqualTo(reverted);

        byte[] fresh = pattern(4096, 2);
        CompletableFuture<ScsiResponse> after = write(0, fresh);
        runQueued();
        Fixture.await(after).assertGood();
        assertThat(Arrays.copyOf(memory.bytes(), 4096)).isEqualTo(fresh);
    }

    @Test
    void theReplacementWaitsForAWriteThatIsRunning() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        memory.beforeWrite = () -> {
            writing.countDown();
            await(release);
        };
        CompletableFuture<ScsiResponse> running = write(0, pattern(4096, 3));
        pool.execute(this::runQueued);
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> replaced = CompletableFuture.runAsync(() -> unit.replaceMedium(
                () -> Arrays.fill(memory.bytes(), (byte) 0x77)));
        Thread.sleep(200);
        assertThat(replaced).as("replacement waits while the write runs").isNotDone();
        memory.beforeWrite = null;
        release.countDown();
        replaced.get(10, TimeUnit.SECONDS);
        Fixture.await(running).assertGood();
        assertThat(memory.bytes()).as("the replacement came after the write").containsOnly((byte) 0x77);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

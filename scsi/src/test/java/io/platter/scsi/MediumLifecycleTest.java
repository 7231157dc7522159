package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ForwardingDevice;
import io.platter.lun.RawImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The logical unit owns its medium's lifecycle. A shrink of a raw LUN does not race a WRITE that already passed the LBA range check: the unit
 * fences new writes, waits for the ones running, changes the size and only then raises CAPACITY
 * DATA HAS CHANGED (6/2A/09) on every I_T nexus. The write is held inside the device by a gate,
 * so the interleaving is forced, not timed. A replacement of the contents aborts the tasks of
 * every LUN the unit is mapped at before it changes anything, and the thin pool's threshold is
 * reported by thin units only.
 */
class MediumLifecycleTest {

    private static final int BLOCKS = 64;
    private static final int SHRUNK = 32;
    private static final ItNexus OTHER = new ItNexus("iqn.i2,i,0x2", "iqn.t,t,0x1");

    @TempDir
    Path dir;

    private final ExecutorService io = Executors.newFixedThreadPool(2);
    private final ScsiTarget target = new ScsiTarget("iqn.2024-01.io.platter:test", Fixture.ALLOC);

    @AfterEach
    void stop() throws InterruptedException {
        io.shutdown();
        assertThat(io.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aShrinkWaitsForAWriteThatPassedTheRangeCheck() throws Exception {
        Path file = dir.resolve("lun.img");
        RawImage raw = RawImage.create(file, BLOCKS * 512L, false);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        boolean[] resizedDuringWrite = new boolean[1];
        int[] writing = new int[1];
        BlockDevice device = new ForwardingDevice(raw) {
            @Override
            public boolean readIfCached(long offset, int length, ByteBuf dst) {
                return false;
            }

            @Override
            public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
                synchronized (writing) {
                    writing[0]++;
                }
                try {
                    inside.countDown();
                    await(gate);
                    inner.write(offset, src, durable);
                } finally {
                    synchronized (writing) {
                        writing[0]--;
                    }
                }
            }

            @Override
            public void resize(long newSize) throws BlockDeviceException {
                synchronized (writing) {
                    resizedDuringWrite[0] |= writing[0] > 0;
                }
                inner.resize(newSize);
            }
        };
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), device, io, Fixture.ALLOC);
        target.addLun(0, unit);
        clear(0, Fixture.NEXUS);
        clear(0, OTHER);

        // A WRITE of the last 8 blocks: in range when checked, held inside the device.
        byte[] data = pattern(8 * 512, 5);
        CompletableFuture<ScsiResponse> write = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x2A, BLOCKS - 8, 8, 0), TaskAttribute.SIMPLE,
                data.length, Unpooled.wrappedBuffer(data)), write::complete);
        assertThat(inside.await(10, TimeUnit.SECONDS)).as("the write reached the device").isTrue();

        Thread shrinker = new Thread(() -> shrink(unit, device, SHRUNK * 512L));
        shrinker.start();
        // Until the shrink either finished (it did not wait) or is parked (it waits for the write).
        while (shrinker.isAlive() && shrinker.getState() == Thread.State.RUNNABLE) {
            Thread.onSpinWait();
        }
        gate.countDown();
        shrinker.join(10_000);
        assertThat(shrinker.isAlive()).isFalse();

        Fixture.await(write).assertGood();
        assertThat(resizedDuringWrite[0]).as("the size changed while a write was inside the device").isFalse();
        assertThat(Files.size(file)).as("the file does not grow back").isEqualTo(SHRUNK * 512L);
        assertThat(unit.blockCount()).isEqualTo(SHRUNK);
        for (ItNexus nexus : new ItNexus[] {Fixture.NEXUS, OTHER}) {
            Fixture.run(target, nexus, 0, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(0x6, 0x2A, 0x09);
            Fixture.run(target, nexus, 0, cdb(0x00, 0, 0, 0, 0, 0), null).assertGood();
        }
        Fixture.run(target, 0, rw10(0x28, SHRUNK, 1, 0), null).assertCheck(0x5, 0x21, 0x00);
        unit.close();
    }

    /**
     * A READ of blocks a shrink removes, already inside the device: the shrink waits for it (it
     * holds the removed range), so the read returns the data written before, never zeros of a
     * truncated file; a READ of those blocks that waited for the range is out of range.
     */
    @Test
    void aShrinkWaitsForAReadOfTheBlocksItRemoves() throws Exception {
        Path file = dir.resolve("lun.img");
        RawImage raw = RawImage.create(file, BLOCKS * 512L, false);
        byte[] data = pattern(8 * 512, 7);
        raw.write((BLOCKS - 8) * 512L, Unpooled.wrappedBuffer(data), true);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        boolean[] resizedDuringRead = new boolean[1];
        int[] reading = new int[1];
        BlockDevice device = new ForwardingDevice(raw) {
            @Override
            public boolean readIfCached(long offset, int length, ByteBuf dst) {
                return false;
            }

            @Override
            public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
                synchronized (reading) {
                    reading[0]++;
                }
                try {
                    inside.countDown();
                    await(gate);
                    inner.read(offset, length, dst);
                } finally {
                    synchronized (reading) {
                        reading[0]--;
                    }
                }
            }

            @Override
            public void resize(long newSize) throws BlockDeviceException {
                synchronized (reading) {
                    resizedDuringRead[0] |= reading[0] > 0;
                }
                inner.resize(newSize);
            }
        };
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), device, io, Fixture.ALLOC);
        target.addLun(0, unit);
        clear(0, Fixture.NEXUS);

        CompletableFuture<ScsiResponse> read = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x28, BLOCKS - 8, 8, 0), TaskAttribute.SIMPLE,
                data.length, null), read::complete);
        assertThat(inside.await(10, TimeUnit.SECONDS)).as("the read reached the device").isTrue();

        Thread shrinker = new Thread(() -> shrink(unit, device, SHRUNK * 512L));
        shrinker.start();
        while (shrinker.isAlive() && shrinker.getState() == Thread.State.RUNNABLE) {
            Thread.onSpinWait();
        }
        gate.countDown();
        shrinker.join(10_000);
        assertThat(shrinker.isAlive()).isFalse();

        Fixture.Result r = Fixture.await(read).assertGood();
        assertThat(r.data()).as("the data written before the shrink, not zeros").isEqualTo(data);
        assertThat(resizedDuringRead[0]).as("the size changed while a read was inside the device").isFalse();
        assertThat(unit.blockCount()).isEqualTo(SHRUNK);
        unit.close();
    }

    @Test
    void aShrinkWaitsForAQueuedWriteOfTheBlocksItRemoves() throws Exception {
        Path file = dir.resolve("lun.img");
        RawImage raw = RawImage.create(file, BLOCKS * 512L, false);
        java.util.Queue<Runnable> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), raw, queued::add, Fixture.ALLOC);
        target.addLun(0, unit);
        clear(0, Fixture.NEXUS);
        byte[] data = pattern(8 * 512, 6);
        CompletableFuture<ScsiResponse> write = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x2A, BLOCKS - 8, 8, 0), TaskAttribute.SIMPLE,
                data.length, Unpooled.wrappedBuffer(data)), write::complete);
        assertThat(queued).as("the write passed the range check and waits for the I/O executor").hasSize(1);

        // The shrink holds the removed blocks: it waits for the write that holds them to end.
        Thread shrinker = new Thread(() -> shrink(unit, raw, SHRUNK * 512L));
        shrinker.start();
        while (shrinker.isAlive() && shrinker.getState() == Thread.State.RUNNABLE) {
            Thread.onSpinWait();
        }
        assertThat(shrinker.isAlive()).as("the shrink waits for the write of the blocks it removes").isTrue();
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run();
        }
        shrinker.join(10_000);
        assertThat(shrinker.isAlive()).isFalse();

        Fixture.await(write).assertGood();
        assertThat(Files.size(file)).as("the write does not grow the file back").isEqualTo(SHRUNK * 512L);
        // A write of those blocks issued now is out of range.
        CompletableFuture<ScsiResponse> late = new CompletableFuture<>();
        target.execute(new ScsiCommand(Fixture.NEXUS, 0, rw10(0x2A, BLOCKS - 8, 8, 0), TaskAttribute.SIMPLE,
                data.length, Unpooled.wrappedBuffer(data)), late::complete);
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run();
        }
        Fixture.await(late).assertCheck(0x6, 0x2A, 0x09);
        unit.close();
    }

    @Test
    void aReplacementAbortsTheTasksThenResetsTheUnitAndReportsTheNewCapacity() throws Exception {
        RawImage raw = RawImage.create(dir.resolve("lun.img"), BLOCKS * 512L, false);
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), raw, io, Fixture.ALLOC);
        List<Integer> aborted = new ArrayList<>();
        target.taskAborter((lun, nexuses) -> {
            aborted.add(lun);
            return CompletableFuture.completedFuture(Set.of(OTHER));
        });
        target.addLun(3, unit);
        clear(3, Fixture.NEXUS);
        clear(3, OTHER);

        Set<ItNexus> lost = unit.replaceContents(() -> {
            assertThat(aborted).as("tasks aborted before the contents change").containsExactly(3);
            raw.resize(SHRUNK * 512L);
        }, Duration.ofSeconds(10));

        assertThat(lost).containsExactly(OTHER);
        assertThat(unit.blockCount()).isEqualTo(SHRUNK);
        for (ItNexus nexus : new ItNexus[] {Fixture.NEXUS, OTHER}) {
            // The reset first, then the capacity the revert changed (a revert across a resize is a resize too).
            Fixture.run(target, nexus, 3, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(0x6, 0x29, 0x00);
            Fixture.run(target, nexus, 3, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(0x6, 0x2A, 0x09);
            Fixture.run(target, nexus, 3, cdb(0x00, 0, 0, 0, 0, 0), null).assertGood();
        }
        unit.close();
    }

    @Test
    void aReplacementWhoseAbortsDoNotFinishChangesNothing() throws Exception {
        MemoryDevice memory = new MemoryDevice(BLOCKS * 512, false);
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), memory, io, Fixture.ALLOC);
        target.taskAborter((lun, nexuses) -> new CompletableFuture<>());
        target.addLun(0, unit);
        clear(0, Fixture.NEXUS);
        boolean[] replaced = new boolean[1];

        assertThatThrownBy(() -> unit.replaceContents(() -> replaced[0] = true, Duration.ZERO))
                .isInstanceOf(LogicalUnit.TasksNotAborted.class);

        assertThat(replaced[0]).isFalse();
        Fixture.run(target, 0, cdb(0x00, 0, 0, 0, 0, 0), null).assertGood();
    }

    @Test
    void anUnmappedUnitAbortsNothingThroughItsFormerLun() throws Exception {
        MemoryDevice memory = new MemoryDevice(BLOCKS * 512, false);
        LogicalUnit unit = new LogicalUnit(new LunIdentity(Fixture.UUID_1), memory, io, Fixture.ALLOC);
        List<Integer> aborted = new ArrayList<>();
        target.taskAborter((lun, nexuses) -> {
            aborted.add(lun);
            return CompletableFuture.completedFuture(Set.of());
        });
        target.addLun(0, unit);
        target.removeLun(0);

        unit.replaceContents(() -> { }, Duration.ofSeconds(1));

        assertThat(aborted).isEmpty();
    }

    @Test
    void theThinPoolThresholdIsReportedByThinUnitsOnly() {
        LogicalUnit thin = new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(BLOCKS * 512, true),
                io, Fixture.ALLOC);
        LogicalUnit thick = new LogicalUnit(new LunIdentity(java.util.UUID.randomUUID()),
                new MemoryDevice(BLOCKS * 512, false), io, Fixture.ALLOC);
        target.addLun(0, thin);
        target.addLun(1, thick);
        clear(0, Fixture.NEXUS);
        clear(1, Fixture.NEXUS);

        assertThat(thin.thinPoolThresholdReached()).isTrue();
        assertThat(thick.thinPoolThresholdReached()).isFalse();

        Fixture.run(target, Fixture.NEXUS, 0, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(0x6, 0x38, 0x07);
        Fixture.run(target, Fixture.NEXUS, 1, cdb(0x00, 0, 0, 0, 0, 0), null).assertGood();
    }

    /** What management does to shrink a mapped LUN: it asks the unit. */
    private static void shrink(LogicalUnit unit, BlockDevice device, long size) {
        try {
            unit.resize(size);
        } catch (BlockDeviceException e) {
            throw new AssertionError(e);
        }
    }

    private void clear(int lun, ItNexus nexus) {
        for (int i = 0; i < 16; i++) {
            if (Fixture.run(target, nexus, lun, cdb(0x00, 0, 0, 0, 0, 0), null).status() == ScsiStatus.GOOD) {
                return;
            }
        }
        throw new AssertionError("unit attentions never cleared");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

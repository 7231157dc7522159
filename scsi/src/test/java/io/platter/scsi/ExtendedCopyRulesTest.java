package io.platter.scsi;

import static io.platter.scsi.ExtendedCopyTest.xcopy;
import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * EXTENDED COPY moves data by the rules of the units it touches, not only of the unit it is
 * addressed to: a write protected or reserved destination refuses the copy's writes as it would
 * refuse a WRITE from the copy's I_T nexus, and a replacement of the destination's medium (a
 * forced snapshot revert) fences off the copy's later writes.
 */
class ExtendedCopyRulesTest {

    private static final UUID UUID_2 = UUID.fromString("0b7e9f10-2c3d-4e5f-8a6b-7c8d9e0f1a2b");
    private static final ItNexus B = new ItNexus("iqn.b,i,0x2", "iqn.t,t,0x1");

    private static MemoryDevice addLun1(Fixture f, java.util.concurrent.Executor io) {
        MemoryDevice d = new MemoryDevice(8192 * 512, false);
        f.target.addLun(1, new LogicalUnit(new LunIdentity(UUID_2), d, io, Fixture.ALLOC));
        Fixture.clearUnitAttentions(f.target, 0);
        Fixture.clearUnitAttentions(f.target, 1);
        return d;
    }

    private static byte[] copyList(Fixture f, int blocks, int srcLun, int dstLun) {
        return new ExtendedCopyTest.ListBuilder().target(f.target.unit(0).identity().naa())
                .target(f.target.unit(1).identity().naa()).segment(srcLun, dstLun, blocks, 0, 0).build();
    }

    private static Fixture.Result copy(Fixture f, byte[] list) {
        return f.run(xcopy(list.length), list);
    }

    @Test
    void aSoftwareWriteProtectedDestinationRefusesTheCopy() {
        try (Fixture f = Fixture.direct(64)) {
            MemoryDevice lun1 = addLun1(f, Runnable::run);
            System.arraycopy(pattern(16 * 512, 5), 0, f.device.bytes(), 0, 16 * 512);
            byte[] swp = ByteBufUtil.decodeHexDump("00000000" + "0a0a" + "0210" + "08" + "00".repeat(7));
            Fixture.run(f.target, 1, cdb(0x15, 0x10, 0, 0, swp.length, 0), Unpooled.wrappedBuffer(swp)).assertGood();
            copy(f, copyList(f, 16, 0, 1)).assertCheck(7, 0x27, 0);
            assertThat(lun1.bytes()).containsOnly(0);
            // Reading from the protected unit is fine.
            copy(f, copyList(f, 16, 1, 0)).assertGood();
        }
    }

    @Test
    void aDestinationReservedThroughAnotherNexusConflicts() {
        try (Fixture f = Fixture.direct(64)) {
            MemoryDevice lun1 = addLun1(f, Runnable::run);
            System.arraycopy(pattern(16 * 512, 5), 0, f.device.bytes(), 0, 16 * 512);
            Fixture.run(f.target, B, 1, cdb(0x00, 0, 0, 0, 0, 0), null);  // B's POWER ON RESET
            Fixture.run(f.target, B, 1, cdb(0x16, 0, 0, 0, 0, 0), null).assertGood();  // RESERVE(6)
            Fixture.Result r = copy(f, copyList(f, 16, 0, 1));
            assertThat(r.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
            assertThat(lun1.bytes()).containsOnly(0);
            // An SPC-2 reservation conflicts with reads too.
            assertThat(copy(f, copyList(f, 16, 1, 0)).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
            Fixture.run(f.target, B, 1, cdb(0x17, 0, 0, 0, 0, 0), null).assertGood();  // RELEASE(6)
            copy(f, copyList(f, 16, 0, 1)).assertGood();
            assertThat(Arrays.copyOfRange(lun1.bytes(), 0, 16 * 512)).isEqualTo(pattern(16 * 512, 5));
        }
    }

    @Test
    void aReplacementOfTheDestinationFencesOffTheRestOfTheCopy() throws Exception {
        MemoryDevice mem = new MemoryDevice(8192 * 512, false);
        System.arraycopy(pattern(4096 * 512, 9), 0, mem.bytes(), 0, 4096 * 512);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.READ);
        ExecutorService lun1Io = Executors.newFixedThreadPool(2);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            MemoryDevice lun1 = addLun1(f, lun1Io);
            byte[] list = copyList(f, 4096, 0, 1);   // two chunks of 1 MiB
            CompletableFuture<ScsiResponse> copy = f.submit(xcopy(list.length), list, TaskAttribute.SIMPLE);
            gated.awaitPaused();                       // the first chunk's read waits
            Thread revert = new Thread(() -> f.target.unit(1).replaceMedium(
                    () -> Arrays.fill(lun1.bytes(), (byte) 0x5A)));
            revert.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (revert.isAlive() && revert.getState() != Thread.State.WAITING) {
                assertThat(System.nanoTime()).as("the revert neither ran nor waited").isLessThan(deadline);
                Thread.onSpinWait();
            }
            gated.open();
            revert.join(10_000);
            assertThat(revert.isAlive()).isFalse();
            Fixture.await(copy).assertCheck(6, 0x29, 0);
            assertThat(lun1.bytes()).as("nothing of the copy lands on the replaced medium").containsOnly((byte) 0x5A);
        } finally {
            lun1Io.shutdown();
            assertThat(lun1Io.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Found by {@link MediumModelPropertyTest}: a copy within one unit that held its source range
     * while it waited for its destination range deadlocked with a write queued between the two
     * requests (the write waited for the source, the destination waited behind the write).
     */
    @Test
    void aCopyWithinAUnitDoesNotDeadlockWithAWriteQueuedAcrossItsRanges() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, false);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.WRITE);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            long self = f.target.unit(0).identity().naa();
            CompletableFuture<ScsiResponse> held = f.submit(Fixture.rw10(0x2A, 11, 4, 0), pattern(4 * 512, 1),
                    TaskAttribute.SIMPLE);
            gated.awaitPaused();
            byte[] list = new ExtendedCopyTest.ListBuilder().target(self).segment(0, 0, 3, 9, 15).build();
            CompletableFuture<ScsiResponse> copy = f.submit(xcopy(list.length), list, TaskAttribute.SIMPLE);
            awaitOutstanding(f, 2);
            CompletableFuture<ScsiResponse> write = f.submit(Fixture.rw10(0x2A, 11, 7, 0), pattern(7 * 512, 2),
                    TaskAttribute.SIMPLE);
            awaitOutstanding(f, 3);
            gated.open();
            Fixture.await(held).assertGood();
            Fixture.await(copy).assertGood();
            Fixture.await(write).assertGood();
        }
    }

    private static void awaitOutstanding(Fixture f, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.unit.context().rangeLocks().outstanding() < n) {
            assertThat(System.nanoTime()).as("range requests never queued").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}

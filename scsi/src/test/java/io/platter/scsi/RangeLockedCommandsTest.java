package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Thin.UNMAP_BIT;
import static io.platter.scsi.Thin.block;
import static io.platter.scsi.Thin.unmap;
import static io.platter.scsi.Thin.unmapList;
import static io.platter.scsi.Thin.writeSame10;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Every command that changes the medium is atomic against every other command on the same blocks
 * (SBC-4 §4.28), not only READ/WRITE and COMPARE AND WRITE: WRITE SAME, UNMAP and WRITE AND VERIFY
 * hold their range too. A {@link GatedDevice} stops the first command halfway; a WRITE to the same
 * blocks issued meanwhile must wait for it (it is then queued in the unit's range locks) instead
 * of landing in between.
 */
class RangeLockedCommandsTest {

    private static final int BLOCKS = 8;
    private static final int BYTES = BLOCKS * 512;

    /**
     * Issues a WRITE of {@code data} to blocks 0-7 while the gated command is paused, and opens
     * the gate once the WRITE either completed (it did not wait: a tear) or waits for the range.
     */
    private static Fixture.Result writeWhilePaused(Fixture f, GatedDevice gated, byte[] data) throws Exception {
        gated.awaitPaused();
        CompletableFuture<ScsiResponse> write = f.submit(rw10(0x2A, 0, BLOCKS, 0), data, TaskAttribute.SIMPLE);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!write.isDone() && f.unit.context().rangeLocks().outstanding() < 2) {
            assertThat(System.nanoTime()).as("the WRITE neither ran nor waited").isLessThan(deadline);
            Thread.onSpinWait();
        }
        gated.open();
        return Fixture.await(write);
    }

    @Test
    void writeSameIsNotTornByAConcurrentWrite() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, false);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.WRITE);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            CompletableFuture<ScsiResponse> same = f.submit(writeSame10(0, BLOCKS, 0), block(0xAA),
                    TaskAttribute.SIMPLE);
            writeWhilePaused(f, gated, block8(0xBB)).assertGood();
            Fixture.await(same).assertGood();
            assertThat(Arrays.copyOfRange(mem.bytes(), 0, BYTES)).as("one command's data, whole")
                    .satisfiesAnyOf(b -> assertThat(b).containsOnly((byte) 0xAA),
                            b -> assertThat(b).containsOnly((byte) 0xBB));
        }
    }

    @Test
    void writeSameWithUnmapIsNotTornByAConcurrentWrite() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, true);
        mem.write(0, io.netty.buffer.Unpooled.wrappedBuffer(pattern(64 * 512, 3)), false);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.DISCARD);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            CompletableFuture<ScsiResponse> same = f.submit(writeSame10(0, BLOCKS, UNMAP_BIT), block(0),
                    TaskAttribute.SIMPLE);
            writeWhilePaused(f, gated, block8(0xBB)).assertGood();
            Fixture.await(same).assertGood();
            assertThat(Arrays.copyOfRange(mem.bytes(), 0, BYTES)).as("one command's data, whole")
                    .satisfiesAnyOf(b -> assertThat(b).containsOnly((byte) 0),
                            b -> assertThat(b).containsOnly((byte) 0xBB));
        }
    }

    @Test
    void unmapIsNotTornByAConcurrentWrite() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, true);
        mem.write(0, io.netty.buffer.Unpooled.wrappedBuffer(pattern(64 * 512, 3)), false);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.DISCARD);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            byte[] list = unmapList(0, BLOCKS);
            CompletableFuture<ScsiResponse> unmapped = f.submit(unmap(list.length, 0), list, TaskAttribute.SIMPLE);
            writeWhilePaused(f, gated, block8(0xBB)).assertGood();
            Fixture.await(unmapped).assertGood();
            assertThat(Arrays.copyOfRange(mem.bytes(), 0, BYTES)).as("one command's data, whole")
                    .satisfiesAnyOf(b -> assertThat(b).containsOnly((byte) 0),
                            b -> assertThat(b).containsOnly((byte) 0xBB));
        }
    }

    @Test
    void writeAndVerifyDoesNotReportAFalseMiscompareWhenAWriteFollowsIt() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, false);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.READ);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            // BYTCHK=01b: written, then read back and compared; the read is where it pauses.
            CompletableFuture<ScsiResponse> verify = f.submit(rw10(0x2E, 0, BLOCKS, 0x02), block8(0xAA),
                    TaskAttribute.SIMPLE);
            writeWhilePaused(f, gated, block8(0xBB)).assertGood();
            Fixture.await(verify).assertGood();
            assertThat(Arrays.copyOfRange(mem.bytes(), 0, BYTES)).containsOnly((byte) 0xBB);
        }
    }

    private static byte[] block8(int fill) {
        byte[] b = new byte[BYTES];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}

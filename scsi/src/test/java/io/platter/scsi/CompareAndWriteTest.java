package io.platter.scsi;

import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompareAndWriteTest {

    static byte[] caw(long lba, int blocks, int flags) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x89;
        b[1] = (byte) flags;
        for (int i = 0; i < 8; i++) {
            b[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        b[13] = (byte) blocks;
        return b;
    }

    static byte[] fill(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void matchingVerifyDataWritesTheWriteData() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw10(0x2A, 3, 2, 0), fill(1024, 'A')).assertGood();
            Fixture.Result r = f.run(caw(3, 2, 0), concat(fill(1024, 'A'), fill(1024, 'B'))).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(2048);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 3 * 512, 5 * 512)).isEqualTo(fill(1024, 'B'));
            assertThat(f.device.cachedWrites.get()).isEqualTo(2);
            assertThat(f.device.durableWrites.get()).isZero();
        }
    }

    @Test
    void fuaMakesTheWriteDurable() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(caw(0, 1, 0x18), concat(new byte[512], fill(512, 7))).assertGood();
            assertThat(f.device.durableWrites.get()).isEqualTo(1);
            assertThat(f.device.bytes()[511]).isEqualTo((byte) 7);
        }
    }

    @Test
    void miscompareReportsTheOffsetOfTheFirstDifferingByteAndWritesNothing() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw10(0x2A, 4, 2, 0), fill(1024, 'A')).assertGood();
            byte[] verify = fill(1024, 'A');
            verify[612] = 'X';
            verify[900] = 'Y';
            Fixture.Result r = f.run(caw(4, 2, 0), concat(verify, fill(1024, 'B')));
            // Fixed format, VALID, sense key MISCOMPARE, INFORMATION 612 (0x264), ASC/ASCQ 1Dh/00h.
            assertThat(ByteBufUtil.hexDump(r.sense()))
                    .isEqualTo("f0000e000002640a000000001d0000000000");
            assertThat(Arrays.copyOfRange(f.device.bytes(), 4 * 512, 6 * 512)).isEqualTo(fill(1024, 'A'));
            assertThat(f.device.cachedWrites.get()).isEqualTo(1);
        }
    }

    @Test
    void miscompareInDescriptorFormatCarriesAnInformationDescriptor() {
        try (Fixture f = Fixture.direct(16)) {
            f.unit.context().modeState().descriptorSense(true);
            Fixture.Result r = f.run(caw(0, 1, 0), concat(fill(512, 1), fill(512, 2)));
            assertThat(ByteBufUtil.hexDump(r.sense()))
                    .isEqualTo("720e1d000000000c" + "000a800000000000" + "00000000");
        }
    }

    @Test
    void moreBlocksThanTheMaximumCompareAndWriteLengthIsAnInvalidField() {
        try (Fixture f = Fixture.direct(1024)) {
            int blocks = 129;
            f.run(caw(0, blocks, 0), new byte[2 * blocks * 512])
                    .assertCheck(0x5, 0x24, 0x00).assertCdbPointer(13, -1);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void zeroBlocksWithoutDataIsGoodAndDoesNothing() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(caw(2, 0, 0), new byte[0]).assertGood();
            f.run(0, caw(2, 0, 0), null).assertGood();
            // 256 blocks do not fit the one-byte field: they arrive as 0 with 256 blocks of data.
            f.run(caw(0, 0, 0), new byte[2 * 256 * 512]).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(13, -1);
            assertThat(f.device.cachedWrites.get() + f.device.durableWrites.get()).isZero();
        }
    }

    @Test
    void outOfRangeAndWrongDataOutLengthAreRejected() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(caw(16, 1, 0), new byte[1024]).assertCheck(0x5, 0x21, 0x00);
            f.run(caw(15, 2, 0), new byte[2048]).assertCheck(0x5, 0x21, 0x00);
            f.run(caw(0, 1, 0), new byte[2048]).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(13, -1);
            f.run(caw(0, 2, 0), new byte[1024]).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(13, -1);
            f.run(caw(0, 1, 0x04), new byte[1024]).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(1, 2);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    /**
     * Eight initiator threads race COMPARE AND WRITE on one block, all expecting the round's
     * current value and each writing its own: exactly one may win every round. The slow device
     * writes in two halves, so a compare not kept atomic would let several win or tear the block.
     */
    @Test
    void concurrentCompareAndWritesOnOneBlockHaveExactlyOneWinnerPerRound() throws Exception {
        MemoryDevice mem = new MemoryDevice(64 * 512, false);
        int threads = 8;
        ExecutorService initiators = Executors.newFixedThreadPool(threads);
        try (Fixture f = Fixture.threaded(mem, new SlowDevice(mem, offset -> 1))) {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            for (int round = 0; round < 20; round++) {
                byte[] expected = Arrays.copyOfRange(mem.bytes(), 7 * 512, 8 * 512);
                List<CompletableFuture<Fixture.Result>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    byte[] data = concat(expected, fill(512, round * threads + t + 1));
                    results.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            barrier.await(5, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return Fixture.await(f.submit(caw(7, 1, 0), data, TaskAttribute.SIMPLE));
                    }, initiators));
                }
                int winners = 0;
                int winner = -1;
                for (int t = 0; t < threads; t++) {
                    Fixture.Result r = results.get(t).get(10, TimeUnit.SECONDS);
                    if (r.status() == ScsiStatus.GOOD) {
                        winners++;
                        winner = t;
                    } else {
                        r.assertCheck(0xE, 0x1D, 0x00);
                    }
                }
                assertThat(winners).as("round %d winners", round).isEqualTo(1);
                assertThat(Arrays.copyOfRange(mem.bytes(), 7 * 512, 8 * 512))
                        .as("round %d block", round).isEqualTo(fill(512, round * threads + winner + 1));
            }
            assertThat(f.unit.context().rangeLocks().outstanding()).isZero();
        } finally {
            initiators.shutdownNow();
        }
    }
}

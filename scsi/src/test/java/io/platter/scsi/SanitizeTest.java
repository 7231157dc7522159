package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SANITIZE (SBC-4 §5.30, §4.11): OVERWRITE, BLOCK ERASE, EXIT FAILURE MODE; CRYPTOGRAPHIC ERASE refused. */
class SanitizeTest {

    private static final int IMMED = 0x80;
    private static final int OVERWRITE = 0x01;
    private static final int BLOCK_ERASE = 0x02;
    private static final int CRYPTO_ERASE = 0x03;
    private static final int EXIT_FAILURE_MODE = 0x1F;

    private static byte[] sanitize(int flagsAndAction, int parameterListLength) {
        return cdb(0x48, flagsAndAction, 0, 0, 0, 0, 0, parameterListLength >>> 8, parameterListLength, 0);
    }

    /** An OVERWRITE parameter list: INVERT/TEST/OVERWRITE COUNT byte, reserved, INITIALIZATION PATTERN LENGTH, pattern. */
    private static byte[] overwriteList(int byte0, int patternLength, byte... pattern) {
        byte[] list = new byte[4 + pattern.length];
        list[0] = (byte) byte0;
        list[2] = (byte) (patternLength >>> 8);
        list[3] = (byte) patternLength;
        System.arraycopy(pattern, 0, list, 4, pattern.length);
        return list;
    }

    @Test
    void blockEraseDeallocatesEveryBlockOfAThinUnit() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 0, 64, 0), pattern(64 * 512, 5)).assertGood();
            f.run(0, sanitize(BLOCK_ERASE, 0), null).assertGood();
            assertThat(f.device.bytes()).containsOnly(0);
            assertThat(f.device.discards.get()).isEqualTo(1);
            for (int lba = 0; lba < 64; lba++) {
                assertThat(f.device.isMapped(lba)).as("block %d", lba).isFalse();
            }
            assertThat(f.device.flushes.get()).isEqualTo(1);
            // WABEREQ=01b (VPD B1h byte 7): a read after the erase is GOOD.
            byte[] b1 = f.run(cdb(0x12, 1, 0xB1, 0, 64, 0)).assertGood().data();
            assertThat(b1[7] & 0xC0).isEqualTo(0x40);
            f.run(rw10(0x28, 0, 1, 0)).assertGood();
        }
    }

    @Test
    void overwriteRepeatsThePatternFromTheStartOfEveryBlock() throws Exception {
        try (Fixture f = Fixture.threaded(4096)) { // 2 MiB: more than the 1 MiB pattern buffer
            byte[] pattern = {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC};
            byte[] list = overwriteList(1, 3, pattern);
            f.run(sanitize(OVERWRITE, list.length), list).assertGood();
            byte[] block = new byte[512];
            for (int i = 0; i < 512; i++) {
                block[i] = pattern[i % 3];
            }
            for (int lba = 0; lba < 4096; lba += 511) {
                assertThat(Arrays.copyOfRange(f.device.bytes(), lba * 512, lba * 512 + 512)).as("block %d", lba)
                        .isEqualTo(block);
            }
            assertThat(Arrays.copyOfRange(f.device.bytes(), 4095 * 512, 4096 * 512)).isEqualTo(block);
        }
    }

    @Test
    void invertInvertsThePatternBetweenPasses() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            byte[] list = overwriteList(0x80 | 2, 1, (byte) 0x0F);
            f.run(sanitize(OVERWRITE, list.length), list).assertGood();
            assertThat(f.device.bytes()).containsOnly((byte) 0xF0);
            assertThat(f.device.cachedWrites.get()).isEqualTo(2);
        }
    }

    @Test
    void badParametersAreRefusedAndChangeNothing() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw10(0x2A, 0, 16, 0), pattern(16 * 512, 9)).assertGood();
            byte[] before = f.device.bytes().clone();
            // PARAMETER LIST LENGTH below 5 or above block size + 4 (SBC-4 §5.30.2.2).
            for (int length = 0; length < 5; length++) {
                f.run(sanitize(OVERWRITE, length), new byte[length]).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
            }
            f.run(sanitize(OVERWRITE, 517), new byte[517]).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
            // OVERWRITE COUNT 0, INITIALIZATION PATTERN LENGTH 0 or not the rest of the list, TEST set.
            byte[] noPasses = overwriteList(0, 4, new byte[4]);
            f.run(sanitize(OVERWRITE, noPasses.length), noPasses).assertCheck(5, 0x26, 0).assertParameterPointer(0, 4);
            byte[] noPattern = overwriteList(1, 0, new byte[4]);
            f.run(sanitize(OVERWRITE, noPattern.length), noPattern).assertCheck(5, 0x26, 0)
                    .assertParameterPointer(2, -1);
            byte[] longer = overwriteList(1, 516, new byte[512]);
            f.run(sanitize(OVERWRITE, longer.length), longer).assertCheck(5, 0x26, 0).assertParameterPointer(2, -1);
            byte[] test = overwriteList(0x21, 4, new byte[4]);
            f.run(sanitize(OVERWRITE, test.length), test).assertCheck(5, 0x26, 0).assertParameterPointer(0, 6);
            // BLOCK ERASE and EXIT FAILURE MODE take no parameter list.
            f.run(sanitize(BLOCK_ERASE, 8), new byte[8]).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
            f.run(sanitize(EXIT_FAILURE_MODE, 8), new byte[8]).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
            assertThat(f.device.bytes()).isEqualTo(before);
            assertThat(f.device.discards.get()).isZero();
        }
    }

    @Test
    void cryptographicEraseAndUnknownServiceActionsAreInvalidFieldInCdb() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            for (int action : new int[] {0x00, CRYPTO_ERASE, 0x04, 0x10, 0x1E}) {
                f.run(0, sanitize(action, 0), null).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
            }
            f.run(0, sanitize(EXIT_FAILURE_MODE, 0), null).assertGood();
            assertThat(f.device.discards.get() + f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void whileItRunsTheUnitIsNotReadyWithProgress() throws Exception {
        try (Fixture f = Fixture.threaded(4096)) {
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            f.device.beforeWrite = () -> {
                writing.countDown();
                await(release);
            };
            byte[] list = overwriteList(1, 1, (byte) 0x11);
            CompletableFuture<ScsiResponse> running = f.submit(sanitize(OVERWRITE, list.length), list,
                    TaskAttribute.SIMPLE);
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            // NOT READY, LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS with SKSV and PROGRESS INDICATION 0.
            Fixture.Result tur = f.run(cdb(0x00, 0, 0, 0, 0, 0)).assertCheck(2, 0x04, 0x1B);
            assertThat(tur.sks()).isEqualTo(0x80_0000);
            f.run(rw10(0x28, 0, 1, 0)).assertCheck(2, 0x04, 0x1B);
            f.run(0, sanitize(BLOCK_ERASE, 0), null).assertCheck(2, 0x04, 0x1B);
            f.run(cdb(0x12, 0, 0, 0, 36, 0)).assertGood(); // INQUIRY needs no medium
            f.device.beforeWrite = null;
            release.countDown();
            Fixture.await(running).assertGood();
            f.run(cdb(0x00, 0, 0, 0, 0, 0)).assertGood();
            assertThat(f.device.bytes()).containsOnly((byte) 0x11);
        }
    }

    @Test
    void immedEndsGoodBeforeTheEraseAndTheUnitIsNotReadyUntilItEnds() throws Exception {
        try (Fixture f = Fixture.threaded(64)) {
            CountDownLatch release = new CountDownLatch(1);
            f.device.beforeWrite = () -> await(release);
            byte[] list = overwriteList(1, 1, (byte) 0x22);
            f.run(sanitize(IMMED | OVERWRITE, list.length), list).assertGood();
            f.run(cdb(0x00, 0, 0, 0, 0, 0)).assertCheck(2, 0x04, 0x1B);
            f.device.beforeWrite = null;
            release.countDown();
            Fixture.Result tur = null;
            for (int i = 0; i < 1000; i++) { // the erase ends on the I/O pool: wait for it, up to 10 s
                tur = f.run(cdb(0x00, 0, 0, 0, 0, 0));
                if (tur.status() == ScsiStatus.GOOD) {
                    break;
                }
                Thread.sleep(10);
            }
            tur.assertGood();
            assertThat(f.device.bytes()).containsOnly((byte) 0x22);
        }
    }

    @Test
    void aWriteProtectedUnitRefusesIt() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.device.readOnly = true;
            f.run(0, sanitize(BLOCK_ERASE, 0), null).assertCheck(7, 0x27, 0);
            assertThat(f.device.discards.get()).isZero();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

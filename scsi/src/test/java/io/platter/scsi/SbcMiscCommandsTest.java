package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Fixture.rw12;
import static io.platter.scsi.Fixture.rw16;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WRITE AND VERIFY, VERIFY (12), PRE-FETCH, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, TEST UNIT READY. */
class SbcMiscCommandsTest {

    private static byte[] writeVerify(int size, long lba, int blocks, int flags) {
        return switch (size) {
            case 10 -> rw10(0x2E, lba, blocks, flags);
            case 12 -> rw12(0xAE, lba, blocks, flags);
            default -> rw16(0x8E, lba, blocks, flags);
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 12, 16})
    void writeAndVerifyWritesDurablyWithEitherByteCheck(int size) {
        try (Fixture f = Fixture.threaded(64)) {
            byte[] data = pattern(3 * 512, size);
            Fixture.Result r = f.run(writeVerify(size, 4, 3, 0x02), data).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(3 * 512);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 4 * 512, 7 * 512)).isEqualTo(data);
            f.run(writeVerify(size, 60, 4, 0x00), pattern(4 * 512, 2)).assertGood();   // BYTCHK 0, last blocks
            assertThat(f.device.durableWrites.get()).isEqualTo(2);
            assertThat(f.device.cachedWrites.get()).isZero();
            f.run(writeVerify(size, 0, 1, 0x10), pattern(512, 3)).assertGood();         // DPO accepted
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 12, 16})
    void writeAndVerifyErrors(int size) {
        try (Fixture f = Fixture.direct(64)) {
            int lengthAt = size == 10 ? 7 : size == 12 ? 6 : 10;
            f.run(writeVerify(size, 62, 3, 0x02), pattern(3 * 512, 1)).assertCheck(5, 0x21, 0);
            f.run(writeVerify(size, 0, 1, 0x04), pattern(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2);
            f.run(writeVerify(size, 0, 1, 0x06), pattern(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2);
            f.run(writeVerify(size, 0, 1, 0x22), pattern(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 5); // WRPROTECT
            f.run(writeVerify(size, 0, 1, 0x08), pattern(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 3); // FUA: not in this CDB
            f.run(writeVerify(size, 0, 16385, 0), pattern(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(lengthAt, -1);
            f.run(writeVerify(size, 0, 0, 0x02)).assertGood();
            assertThat(f.device.durableWrites.get()).isZero();
        }
    }

    @Test
    void writeAndVerifyReportsAMediumThatDoesNotReadBackAsWritten() {
        try (Fixture f = Fixture.direct(8)) {
            f.device.flipAfterWrite = 512 + 700;
            Fixture.Result r = f.run(rw10(0x2E, 1, 2, 0x02), pattern(1024, 5)).assertCheck(0xE, 0x1D, 0);
            assertThat(ByteBufUtil.hexDump(r.sense(), 3, 4)).isEqualTo("000002bc");
            f.run(rw10(0x2E, 1, 2, 0x00), pattern(1024, 5)).assertGood();
            f.device.flipAfterWrite = -1;
            f.device.failNext = new BlockDeviceException.MediumError("eio", new IOException());
            f.run(rw10(0x2E, 1, 1, 0x02), pattern(512, 1)).assertCheck(3, 0x0C, 0);
        }
    }

    @Test
    void verify12ComparesLikeVerify10() {
        try (Fixture f = Fixture.threaded(16)) {
            byte[] data = pattern(2 * 512, 9);
            f.run(rw10(0x2A, 3, 2, 0), data).assertGood();
            f.run(rw12(0xAF, 3, 2, 0x02), data).assertGood();
            f.run(rw12(0xAF, 0, 16, 0x00)).assertGood();
            f.run(rw12(0xAF, 0, 16, 0x10)).assertGood();                         // DPO
            byte[] wrong = data.clone();
            wrong[513] ^= 1;
            Fixture.Result r = f.run(rw12(0xAF, 3, 2, 0x02), wrong).assertCheck(0xE, 0x1D, 0);
            assertThat(ByteBufUtil.hexDump(r.sense(), 3, 4)).isEqualTo("00000201");
            f.run(rw12(0xAF, 15, 2, 0)).assertCheck(5, 0x21, 0);
            f.run(rw12(0xAF, 0, 1, 0x20)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 5);  // VRPROTECT
            f.run(rw12(0xAF, 0, 1, 0x04)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2);  // BYTCHK 10b
        }
    }

    @Test
    void preFetchChecksTheRangeAndEndsGood() {
        try (Fixture f = Fixture.direct(16)) {
            Fixture.Result r = f.run(rw10(0x34, 0, 16, 0)).assertGood();
            assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
            f.run(rw10(0x34, 15, 1, 0x02)).assertGood();                                 // IMMED
            f.run(cdb(0x34, 0, 0, 0, 0, 0, 3, 0, 1, 0)).assertGood();                    // GROUP 3
            f.run(rw10(0x34, 16, 0, 0)).assertGood();                                   // 0 blocks at the end
            f.run(rw10(0x34, 17, 0, 0)).assertCheck(5, 0x21, 0);
            f.run(rw10(0x34, 0xFFFF_FFFFL, 0, 0)).assertCheck(5, 0x21, 0);
            f.run(rw10(0x34, 15, 2, 0)).assertCheck(5, 0x21, 0);
            f.run(rw16(0x90, 0, 16, 0x02)).assertGood();
            f.run(rw16(0x90, -1L, 1, 0)).assertCheck(5, 0x21, 0);
            f.run(rw10(0x34, 0, 1, 0x01)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);  // obsolete bit
            assertThat(f.device.flushes.get() + f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void startStopUnitStaysReadyAndFlushesOnStop() {
        try (Fixture f = Fixture.direct(8)) {
            f.run(cdb(0x1B, 0, 0, 0, 0x01, 0)).assertGood();                         // START
            assertThat(f.device.flushes.get()).isZero();
            f.run(cdb(0x1B, 0, 0, 0, 0x00, 0)).assertGood();                         // STOP: flush
            assertThat(f.device.flushes.get()).isEqualTo(1);
            f.run(cdb(0x1B, 1, 0, 0, 0x04, 0)).assertGood();                         // STOP, IMMED, NO_FLUSH
            f.run(cdb(0x1B, 0, 0, 0, 0x02, 0)).assertGood();                         // LOEJ: eject, not removable
            assertThat(f.device.flushes.get()).isEqualTo(2);
            f.run(cdb(0x00, 0, 0, 0, 0, 0)).assertGood();                            // still ready
            f.run(cdb(0x1B, 0, 0, 0x02, 0x20, 0)).assertGood();                      // IDLE, idle_c
            f.run(cdb(0x1B, 0, 0, 0x01, 0x30, 0)).assertGood();                      // STANDBY, standby_y
            f.run(cdb(0x1B, 0, 0, 0x02, 0x30, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(3, 1);
            f.run(cdb(0x1B, 0, 0, 0x01, 0x10, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(3, 0);
            f.run(cdb(0x1B, 0, 0, 0, 0x50, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(4, 7);  // obsolete 5h
            f.run(cdb(0x1B, 0, 0, 0, 0x08, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(4, 3);  // reserved bit
            assertThat(f.device.flushes.get()).isEqualTo(2);
            f.device.failNext = new BlockDeviceException.MediumError("eio", new IOException());
            f.run(cdb(0x1B, 0, 0, 0, 0x00, 0)).assertCheck(3, 0x0C, 0);
        }
    }

    @Test
    void preventAllowMediumRemovalOnANonRemovableUnit() {
        try (Fixture f = Fixture.direct(8)) {
            f.run(cdb(0x1E, 0, 0, 0, 1, 0)).assertGood();
            f.run(cdb(0x1E, 0, 0, 0, 0, 0)).assertGood();
            f.run(cdb(0x1E, 0, 0, 0, 2, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(4, 1);
            f.run(cdb(0x1E, 0, 0, 0, 3, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(4, 1);
            f.run(cdb(0x1E, 1, 0, 0, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);
        }
    }

    @Test
    void testUnitReadyIgnoresAnyDataTheTransportCarried() {
        try (Fixture f = Fixture.direct(8)) {
            Fixture.Result r = f.run(cdb(0x00, 0, 0, 0, 0, 0), pattern(512, 1)).assertGood();  // Data-Out released
            assertThat(r.data()).isNull();
            assertThat(r.dataOutLength()).isEqualTo(-1);
        }
    }
}

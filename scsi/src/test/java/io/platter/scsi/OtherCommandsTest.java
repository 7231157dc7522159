package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Fixture.rw16;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class OtherCommandsTest {

    @Test
    void testUnitReady() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            Fixture.Result r = f.run(cdb(0x00, 0, 0, 0, 0, 0)).assertGood();
            assertThat(r.data()).isNull();
            f.run(cdb(0x00, 1, 0, 0, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);
        }
    }

    @Test
    void requestSenseReturnsNoSenseInEitherFormat() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x03, 0, 0, 0, 252, 0)).assertGood().data()))
                    .isEqualTo("700000000000000a000000000000000000" + "00");
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x03, 1, 0, 0, 252, 0)).assertGood().data()))
                    .isEqualTo("7200000000000000");
            assertThat(f.run(cdb(0x03, 0, 0, 0, 8, 0)).data()).hasSize(8);
        }
    }

    @Test
    void unknownOpcodeIsInvalidCommandOperationCode() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.run(cdb(0xC7, 0, 0, 0, 0, 0)).assertCheck(5, 0x20, 0).assertNoPointer();
            f.run(new byte[0]).assertCheck(5, 0x20, 0);
            // UNMAP exists only for thin units; a thick one answers as if it did not exist.
            f.run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertCheck(5, 0x20, 0).assertNoPointer();
        }
    }

    @Test
    void synchronizeCacheFlushesAfterARangeCheck() throws Exception {
        try (Fixture f = Fixture.threaded(16)) {
            f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            f.run(cdb(0x35, 2, 0, 0, 0, 4, 0, 0, 12, 0)).assertGood();      // IMMED, 4..15
            f.run(rw16(0x91, 0, 0, 0)).assertGood();
            assertThat(f.device.flushes.get()).isEqualTo(3);
            f.run(cdb(0x35, 0, 0, 0, 0, 4, 0, 0, 13, 0)).assertCheck(5, 0x21, 0);
            f.run(rw16(0x91, 17, 0, 0)).assertCheck(5, 0x21, 0);
            assertThat(f.device.flushes.get()).isEqualTo(3);
            f.device.failNext = new BlockDeviceException.MediumError("eio", new IOException());
            f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertCheck(3, 0x0C, 0);
        }
    }

    @Test
    void verifyWithoutByteCheckOnlyChecksTheRange() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw10(0x2F, 0, 16, 0)).assertGood();
            f.run(rw10(0x2F, 10, 7, 0)).assertCheck(5, 0x21, 0);
            f.run(rw16(0x8F, 1, 2, 0)).assertGood();
            f.run(rw10(0x2F, 0, 1, 0x04)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2); // BYTCHK 10b
            f.run(rw10(0x2F, 0, 1, 0x06)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2); // BYTCHK 11b
        }
    }

    @Test
    void verifyWithByteCheckComparesAndReportsTheFirstDifference() throws Exception {
        try (Fixture f = Fixture.threaded(16)) {
            byte[] data = pattern(4 * 512, 11);
            f.run(rw10(0x2A, 2, 4, 0), data).assertGood();
            f.run(rw10(0x2F, 2, 4, 0x02), data).assertGood();
            f.run(rw16(0x8F, 2, 4, 0x02), data).assertGood();
            byte[] wrong = data.clone();
            wrong[1000] ^= 1;
            wrong[1500] ^= 1;
            Fixture.Result r = f.run(rw10(0x2F, 2, 4, 0x02), wrong).assertCheck(0xE, 0x1D, 0);
            assertThat(r.sense()[0]).isEqualTo((byte) 0xF0);   // VALID: information holds the offset
            assertThat(ByteBufUtil.hexDump(r.sense(), 3, 4)).isEqualTo("000003e8");
            f.run(rw10(0x2F, 2, 4, 0x02), pattern(100, 11)).assertCheck(5, 0x24, 0).assertCdbPointer(7, -1);
        }
    }

    @Test
    void closeClosesTheDevice() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.unit.close();
            assertThat(f.device.closed).isTrue();
        }
    }
}

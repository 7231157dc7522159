package io.platter.scsi;

import static io.platter.scsi.Fixture.rw16;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ORWRITE (16) (SBC-4 §5.9): the medium becomes the bitwise OR of itself and the Data-Out. */
class OrWriteTest {

    private static final int ORWRITE_16 = 0x8B;
    private static final int WRITE_16 = 0x8A;
    private static final int FUA = 0x08;

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void theMediumBecomesItsOrWithTheDataOut() throws Exception {
        try (Fixture f = Fixture.direct(32)) {
            f.run(rw16(WRITE_16, 0, 32, 0), filled(32 * 512, 0x0F)).assertGood();
            Fixture.Result r = f.run(rw16(ORWRITE_16, 4, 3, 0), filled(3 * 512, 0xA0)).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(3 * 512);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 4 * 512, 7 * 512)).containsOnly((byte) 0xAF);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 4 * 512)).containsOnly((byte) 0x0F);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 7 * 512, 32 * 512)).containsOnly((byte) 0x0F);
            // libiscsi's OrWrite.Verify: 0xa5 then 0x5a over zeros reads back 0xff.
            f.run(rw16(ORWRITE_16, 31, 1, FUA), filled(512, 0x50)).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 31 * 512, 32 * 512)).containsOnly((byte) 0x5F);
            assertThat(f.device.durableWrites.get()).isEqualTo(1);
        }
    }

    @Test
    void anOddLengthTailIsOredBytewise() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] data = Fixture.pattern(512, 77);
            f.run(rw16(ORWRITE_16, 2, 1, 0), data).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 2 * 512, 3 * 512)).isEqualTo(data);
        }
    }

    @Test
    void zeroBlocksIsGoodAndOffTheMediumIsLbaOutOfRange() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.run(0, rw16(ORWRITE_16, 0, 0, 0), null).assertGood();
            f.run(rw16(ORWRITE_16, 15, 2, 0), filled(1024, 1)).assertCheck(5, 0x21, 0).assertNoPointer();
            f.run(rw16(ORWRITE_16, -1L, 1, 0), filled(512, 1)).assertCheck(5, 0x21, 0);
            f.run(0, rw16(ORWRITE_16, 0, 16385, 0), null).assertCheck(5, 0x24, 0).assertCdbPointer(10, -1);
            // ORPROTECT (byte 1 bits 7:5): no protection information.
            f.run(rw16(ORWRITE_16, 0, 1, 0x20), filled(512, 1)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 5);
            assertThat(f.device.cachedWrites.get() + f.device.durableWrites.get()).isZero();
        }
    }
}

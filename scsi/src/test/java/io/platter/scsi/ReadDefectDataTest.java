package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

/** READ DEFECT DATA (10) and (12) (SBC-4 §5.22, §5.23): an image has an empty defect list. */
class ReadDefectDataTest {

    private static final int REQ_PLIST = 0x10;
    private static final int REQ_GLIST = 0x08;

    private static byte[] readDefectData10(int flags, int allocationLength) {
        return cdb(0x37, 0, flags, 0, 0, 0, 0, allocationLength >>> 8, allocationLength, 0);
    }

    private static byte[] readDefectData12(int flags, long allocationLength) {
        return cdb(0xB7, flags, 0, 0, 0, 0, (int) (allocationLength >>> 24), (int) (allocationLength >>> 16),
                (int) (allocationLength >>> 8), (int) allocationLength, 0, 0);
    }

    @Test
    void tenReturnsAnEmptyListOfTheRequestedKindAndFormat() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            // Header: reserved, PLISTV|GLISTV|DEFECT LIST FORMAT, DEFECT LIST LENGTH 0.
            assertThat(ByteBufUtil.hexDump(f.run(readDefectData10(0, 32)).assertGood().data())).isEqualTo("00000000");
            assertThat(ByteBufUtil.hexDump(f.run(readDefectData10(REQ_PLIST | REQ_GLIST | 3, 32)).assertGood().data()))
                    .isEqualTo("001b0000");
            assertThat(ByteBufUtil.hexDump(f.run(readDefectData10(REQ_GLIST | 5, 255)).assertGood().data()))
                    .isEqualTo("000d0000");
            // ALLOCATION LENGTH truncates (SPC-5 §4.2.5.6).
            assertThat(f.run(readDefectData10(REQ_PLIST, 2)).assertGood().data()).hasSize(2);
        }
    }

    @Test
    void twelveReturnsAnEightByteHeader() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            // Header: reserved, flags, GENERATION CODE 0, DEFECT LIST LENGTH 0 (4 bytes).
            assertThat(ByteBufUtil.hexDump(f.run(readDefectData12(0, 32)).assertGood().data()))
                    .isEqualTo("0000000000000000");
            assertThat(ByteBufUtil.hexDump(f.run(readDefectData12(REQ_PLIST | 4, 32)).assertGood().data()))
                    .isEqualTo("0014000000000000");
        }
    }

    @Test
    void theReservedFormatIsInvalidFieldInCdb() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.run(readDefectData10(7, 32)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 2);
            f.run(readDefectData12(REQ_GLIST | 7, 32)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 2);
            // Reserved bits outside the usage mask.
            f.run(readDefectData10(0x20, 32)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 5);
        }
    }
}

package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

/** LOG SENSE (SPC-5 §6.10): supported pages and the logical block provisioning page (SBC-4). */
class LogSenseTest {

    private static byte[] logSense(int pc, int page, int subpage, int pointer, int allocation) {
        return cdb(0x4D, 0, pc << 6 | page, subpage, 0, pointer >>> 8, pointer, allocation >>> 8, allocation, 0);
    }

    @Test
    void supportedPagesAndSubpages() {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(ByteBufUtil.hexDump(f.run(logSense(1, 0, 0, 0, 255)).assertGood().data()))
                    .isEqualTo("00000002" + "000c");
            assertThat(ByteBufUtil.hexDump(f.run(logSense(1, 0, 0xFF, 0, 255)).assertGood().data()))
                    .isEqualTo("40ff0006" + "0000" + "00ff" + "0c00");
            assertThat(f.run(logSense(0, 0, 0, 0, 255)).data()).isEqualTo(f.run(logSense(3, 0, 0, 0, 255)).data());
        }
    }

    @Test
    void provisioningPageCountsAllocatedBlocks() {
        try (Fixture f = Fixture.thin(1000)) {
            f.device.allocated = 300 * 512;
            assertThat(ByteBufUtil.hexDump(f.run(logSense(1, 0x0C, 0, 0, 255)).assertGood().data())).isEqualTo(
                    "8c000018"
                            + "0001" + "23" + "08" + "000002bc" + "00000000"     // available: 700 blocks
                            + "0002" + "23" + "08" + "0000012c" + "00000000");   // used: 300 blocks
            assertThat(ByteBufUtil.hexDump(f.run(logSense(1, 0x0C, 0, 2, 255)).assertGood().data()))
                    .isEqualTo("8c00000c" + "0002" + "23" + "08" + "0000012c" + "00000000");
            f.device.allocated = 2000 * 512;   // metadata past the size: everything used
            assertThat(ByteBufUtil.hexDump(f.run(logSense(1, 0x0C, 0, 0, 255)).data(), 8, 4)).isEqualTo("00000000");
            assertThat(f.run(logSense(1, 0x0C, 0, 0, 6)).assertGood().data()).hasSize(6);
        }
    }

    @Test
    void logSenseErrors() {
        try (Fixture f = Fixture.direct(8)) {
            f.run(logSense(1, 0x0D, 0, 0, 255)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 5);
            f.run(logSense(1, 0x0C, 0x01, 0, 255)).assertCheck(5, 0x24, 0).assertCdbPointer(3, -1);
            f.run(logSense(1, 0x0C, 0, 3, 255)).assertCheck(5, 0x24, 0).assertCdbPointer(5, -1);
            f.run(logSense(1, 0x00, 0, 1, 255)).assertCheck(5, 0x24, 0).assertCdbPointer(5, -1);
            f.run(cdb(0x4D, 0x01, 0x40, 0, 0, 0, 0, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);  // SP
            assertThat(f.run(logSense(1, 0, 0, 0, 0)).assertGood().data()).isNull();
        }
    }
}

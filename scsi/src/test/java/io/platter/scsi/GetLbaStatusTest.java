package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb16;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Thin.getLbaStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GetLbaStatusTest {

    private static String descriptor(long lba, long blocks, int status) {
        return String.format("%016x%08x%02x000000", lba, blocks, status);
    }

    @Test
    void reportsRunsOfMappedAndDeallocatedBlocks() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 8, 8, 0), pattern(8 * 512, 1)).assertGood();
            byte[] d = f.run(getLbaStatus(0, 1024)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("00000034" + "00000001"
                    + descriptor(0, 8, 1) + descriptor(8, 8, 0) + descriptor(16, 48, 1));
        }
    }

    @Test
    void theFirstDescriptorStartsAtTheStartingLba() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 8, 8, 0), pattern(8 * 512, 1)).assertGood();
            byte[] d = f.run(getLbaStatus(9, 1024)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("00000024" + "00000001"
                    + descriptor(9, 7, 0) + descriptor(16, 48, 1));
            byte[] last = f.run(getLbaStatus(63, 1024)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(last)).isEqualTo("00000014" + "00000001" + descriptor(63, 1, 1));
        }
    }

    @Test
    void allocationLengthBoundsTheDescriptorsAndTruncates() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 8, 8, 0), pattern(8 * 512, 1)).assertGood();
            assertThat(ByteBufUtil.hexDump(f.run(getLbaStatus(0, 24)).assertGood().data()))
                    .isEqualTo("00000014" + "00000001" + descriptor(0, 8, 1));
            assertThat(ByteBufUtil.hexDump(f.run(getLbaStatus(0, 20)).assertGood().data()))
                    .isEqualTo("00000014" + "00000001" + descriptor(0, 8, 1).substring(0, 24));
            assertThat(f.run(getLbaStatus(0, 4)).assertGood().data()).hasSize(4);
            assertThat(f.run(getLbaStatus(0, 0)).assertGood().data()).isNull();
        }
    }

    @Test
    void aThickUnitIsMappedThroughout() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            assertThat(ByteBufUtil.hexDump(f.run(getLbaStatus(3, 1024)).assertGood().data()))
                    .isEqualTo("00000014" + "00000001" + descriptor(3, 61, 0));
        }
    }

    @Test
    void aStartingLbaPastTheLastBlockIsLbaOutOfRange() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(getLbaStatus(64, 24)).assertCheck(5, 0x21, 0).assertNoPointer();
            f.run(getLbaStatus(0x8000_0000_0000_0000L, 24)).assertCheck(5, 0x21, 0);
            f.run(getLbaStatus(-1L, 24)).assertCheck(5, 0x21, 0);
        }
    }

    @Test
    void reportTypeSelectsWhichRunsAreDescribed() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            f.run(rw10(0x2A, 8, 8, 0), pattern(8 * 512, 1)).assertGood();
            assertThat(ByteBufUtil.hexDump(f.run(reportType(0, 1)).assertGood().data()))
                    .isEqualTo("00000024" + "00000001" + descriptor(0, 8, 1) + descriptor(16, 48, 1));
            assertThat(ByteBufUtil.hexDump(f.run(reportType(0, 2)).assertGood().data()))
                    .isEqualTo("00000014" + "00000001" + descriptor(8, 8, 0));
            assertThat(ByteBufUtil.hexDump(f.run(reportType(10, 3)).assertGood().data()))
                    .isEqualTo("00000014" + "00000001" + descriptor(16, 48, 1));
            assertThat(ByteBufUtil.hexDump(f.run(reportType(16, 2)).assertGood().data()))
                    .isEqualTo("00000004" + "00000001");
            for (int nothing : new int[] {4, 0x10}) {
                assertThat(ByteBufUtil.hexDump(f.run(reportType(0, nothing)).assertGood().data()))
                        .as("REPORT TYPE %d", nothing).isEqualTo("00000004" + "00000001");
            }
        }
    }

    @Test
    void reservedReportTypesAreInvalid() throws Exception {
        try (Fixture f = Fixture.thin(64)) {
            for (int reserved : new int[] {5, 0x0F, 0x11, 0x80, 0xFF}) {
                f.run(reportType(0, reserved)).assertCheck(5, 0x24, 0).assertCdbPointer(14, -1);
            }
        }
    }

    private static byte[] reportType(long lba, int type) {
        byte[] c = getLbaStatus(lba, 1024);
        c[14] = (byte) type;
        return c;
    }

    @Test
    void readCapacity16ReportsLbpmeAndLbprzForThinUnitsOnly() throws Exception {
        try (Fixture thin = Fixture.thin(64); Fixture thick = Fixture.direct(64)) {
            byte[] rc = cdb16(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32);
            assertThat(ByteBufUtil.hexDump(thin.run(rc).assertGood().data(), 12, 4)).isEqualTo("0003c000");
            assertThat(ByteBufUtil.hexDump(thick.run(rc).assertGood().data(), 12, 4)).isEqualTo("00030000");
        }
    }

    @Test
    void blockLimitsOfAThinUnitCarryTheUnmapLimits() throws Exception {
        try (Fixture f = Fixture.thin(8)) {
            byte[] d = f.run(Fixture.cdb(0x12, 1, 0xB0, 0, 255, 0)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d, 0, 48)).isEqualTo("00b0003c" + "0080" + "0008" + "00004000"
                    + "00000000" + "00000000"
                    + "00100000"            // MAXIMUM UNMAP LBA COUNT
                    + "00000100"            // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
                    + "00000008"            // OPTIMAL UNMAP GRANULARITY
                    + "80000000"            // UGAVALID, alignment 0
                    + "000000000000ffff"    // MAXIMUM WRITE SAME LENGTH
                    + "00000100");          // MAXIMUM ATOMIC TRANSFER LENGTH
            assertThat(Arrays.copyOfRange(d, 56, 64)).containsOnly(0);
        }
    }
}

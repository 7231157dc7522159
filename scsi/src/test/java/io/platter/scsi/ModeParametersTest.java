package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModeParametersTest {

    private static final String RW_RECOVERY = "010a" + "00".repeat(10);
    /** PS set: the caching page is saveable. */
    private static final String CACHING_WCE = "8812" + "04" + "00".repeat(17);
    private static final String CONTROL = "0a0a" + "0210" + "00".repeat(8);
    private static final String INFO_EXCEPTIONS = "1c0a" + "08" + "00".repeat(9);

    @Test
    void modeSense6AllPagesWithShortBlockDescriptor() throws Exception {
        try (Fixture f = Fixture.direct(100)) {
            byte[] d = f.run(cdb(0x1A, 0, 0x3F, 0, 255, 0)).assertGood().data();
            String pages = RW_RECOVERY + CACHING_WCE + CONTROL + INFO_EXCEPTIONS;
            int length = 4 + 8 + pages.length() / 2;
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo(
                    String.format("%02x", length - 1) + "00" + "10" + "08"   // header: DPOFUA, BD length 8
                            + "00000064" + "00000200"                         // 100 blocks of 512
                            + pages);
        }
    }

    @Test
    void modeSense10LongLbaDescriptorWithLlbaa() throws Exception {
        try (Fixture f = Fixture.direct(100)) {
            byte[] d = f.run(cdb(0x5A, 0x10, 0x08, 0, 0, 0, 0, 0, 255, 0)).assertGood().data();
            int length = 8 + 16 + 20;
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo(
                    String.format("%04x", length - 2) + "00" + "10" + "01" + "00" + "0010"
                            + "0000000000000064" + "00000000" + "00000200"
                            + CACHING_WCE);
        }
    }

    @Test
    void dbdOmitsTheBlockDescriptor() throws Exception {
        try (Fixture f = Fixture.direct(100)) {
            byte[] d = f.run(cdb(0x5A, 0x18, 0x0A, 0, 0, 0, 0, 0, 255, 0)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("0012" + "0010" + "0000" + "0000" + CONTROL);
        }
    }

    @Test
    void changeableDefaultAndSavedValues() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x1A, 0x08, 0x48, 0, 255, 0)).data(), 4, 3))
                    .isEqualTo("881204");                              // changeable: WCE; PS
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x1A, 0x08, 0x4A, 0, 255, 0)).data(), 4, 12))
                    .isEqualTo("0a0a" + "0400" + "08" + "00".repeat(7)); // changeable: D_SENSE, SWP
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x1A, 0x08, 0x41, 0, 255, 0)).data(), 4, 12))
                    .isEqualTo(RW_RECOVERY);                           // nothing changeable
            setWce(f, false);
            assertThat(f.run(cdb(0x1A, 0x08, 0x08, 0, 255, 0)).data()[6]).isEqualTo((byte) 0);    // current
            assertThat(f.run(cdb(0x1A, 0x08, 0xC8, 0, 255, 0)).data()[6]).isEqualTo((byte) 4);    // saved: not saved
            assertThat(f.run(cdb(0x1A, 0x08, 0x88, 0, 255, 0)).data()[6]).isEqualTo((byte) 4);    // default
        }
    }

    @Test
    void subpagesAndUnknownPages() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] all = f.run(cdb(0x1A, 0, 0x3F, 0, 255, 0)).data();
            assertThat(f.run(cdb(0x1A, 0, 0x3F, 0xFF, 255, 0)).assertGood().data()).isEqualTo(all);
            f.run(cdb(0x1A, 0, 0x08, 0xFF, 255, 0)).assertGood();
            f.run(cdb(0x1A, 0, 0x3F, 0x01, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(3, -1);
            f.run(cdb(0x1A, 0, 0x19, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 5);
            f.run(cdb(0x1A, 0x10, 0x3F, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4); // LLBAA in (6)
        }
    }

    @Test
    void allocationLengthTruncatesModeSense() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(f.run(cdb(0x1A, 0, 0x3F, 0, 4, 0)).assertGood().data()).hasSize(4);
        }
    }

    @Test
    void modeSelectSetsDescriptorSenseAndLaterErrorsUseIt() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] list = hex("00000000" + "0a0a" + "0610" + "00".repeat(8));
            f.run(cdb(0x15, 0x10, 0, 0, list.length, 0), list).assertGood();
            Fixture.Result r = f.run(rw10(0x28, 100, 1, 0)).assertCheck(5, 0x21, 0);
            assertThat(r.sense()[0]).isEqualTo((byte) 0x72);
            Fixture.Result p = f.run(cdb(0x12, 2, 0, 0, 255, 0)).assertCheck(5, 0x24, 0);
            assertThat(ByteBufUtil.hexDump(p.sense())).isEqualTo("7205240000000008" + "02060000c90001" + "00");
            byte[] back = hex("00000000" + "0a0a" + "0210" + "00".repeat(8));
            f.run(cdb(0x15, 0x10, 0, 0, back.length, 0), back).assertGood();
            assertThat(f.run(rw10(0x28, 100, 1, 0)).sense()[0]).isEqualTo((byte) 0x70);
        }
    }

    @Test
    void modeSelect10WithBlockDescriptor() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] list = hex("0000000000000008" + "0000000800000200" + "0812" + "00".repeat(18));
            f.run(cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, list.length, 0), list).assertGood();
            assertThat(f.unit.writeCacheEnabled()).isFalse();
        }
    }

    @Test
    void modeSelectRejectsUnchangeableFieldsAndChangesNothing() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            // caching page (at 16) with RCD set, not changeable: parameter byte 18 bit 0
            byte[] list = hex("00000000" + "0a0a" + "0610" + "00".repeat(8) + "0812" + "01" + "00".repeat(17));
            f.run(cdb(0x15, 0x10, 0, 0, list.length, 0), list)
                    .assertCheck(5, 0x26, 0).assertParameterPointer(18, 0);
            assertThat(f.run(rw10(0x28, 100, 1, 0)).sense()[0]).as("control page not applied").isEqualTo((byte) 0x70);
            assertThat(f.unit.writeCacheEnabled()).isTrue();
        }
    }

    @Test
    void modeSelectParameterErrors() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            String caching = "0812" + "04" + "00".repeat(17);
            // unknown page 19h
            select6(f, "00000000" + "1906" + "00".repeat(6)).assertCheck(5, 0x26, 0).assertParameterPointer(4, 5);
            // wrong page length
            select6(f, "00000000" + "0811" + "00".repeat(17)).assertCheck(5, 0x26, 0).assertParameterPointer(5, -1);
            // medium type
            select6(f, "00050000" + caching).assertCheck(5, 0x26, 0).assertParameterPointer(1, 2);
            // block length 4096
            select6(f, "00000008" + "0000000000001000" + caching).assertCheck(5, 0x26, 0).assertParameterPointer(9, -1);
            // page truncated by the parameter list length
            select6(f, "00000000" + "0812" + "04").assertCheck(5, 0x1A, 0);
            // shorter than the header
            select6(f, "0000").assertCheck(5, 0x1A, 0);
            // Data-Out shorter than parameter list length
            f.run(cdb(0x15, 0x10, 0, 0, 40, 0), hex("00000000" + caching)).assertCheck(5, 0x1A, 0);
            // subpage format
            select6(f, "00000000" + "4808" + "00000000").assertCheck(5, 0x26, 0).assertParameterPointer(4, 6);
            // zero length: nothing to do
            f.run(cdb(0x15, 0x10, 0, 0, 0, 0)).assertGood();
        }
    }

    private static Fixture.Result select6(Fixture f, String hex) {
        byte[] list = hex(hex);
        return f.run(cdb(0x15, 0x10, 0, 0, list.length, 0), list);
    }

    private static void setWce(Fixture f, boolean wce) {
        byte[] list = hex("00000000" + "0812" + (wce ? "04" : "00") + "00".repeat(17));
        f.run(cdb(0x15, 0x10, 0, 0, list.length, 0), list).assertGood();
    }

    static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s);
    }

    @Test
    void hexHelperSanity() {
        assertThat(Arrays.equals(hex("0a0b"), new byte[] {10, 11})).isTrue();
    }
}

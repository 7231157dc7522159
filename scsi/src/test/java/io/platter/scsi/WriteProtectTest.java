package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Fixture.rw12;
import static io.platter.scsi.Fixture.rw16;
import static io.platter.scsi.Fixture.rw6;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import org.junit.jupiter.api.Test;

/** Software write protect (SWP of the control page, SBC-4 §4.11) and read-only devices. */
class WriteProtectTest {

    private static void swp(Fixture f, boolean on) {
        byte[] list = ByteBufUtil.decodeHexDump("00000000" + "0a0a" + "0210" + (on ? "08" : "00") + "00".repeat(7));
        f.run(cdb(0x15, 0x10, 0, 0, list.length, 0), list).assertGood();
    }

    private static int deviceSpecific6(Fixture f) {
        return f.run(cdb(0x1A, 0, 0x3F, 0, 255, 0)).assertGood().data()[2] & 0xff;
    }

    @Test
    void swpFailsEveryWriteWithWriteProtectedAndReportsWp() {
        try (Fixture f = Fixture.direct(64)) {
            byte[] block = pattern(512, 1);
            assertThat(deviceSpecific6(f)).isEqualTo(0x10);
            swp(f, true);
            assertThat(deviceSpecific6(f)).isEqualTo(0x90);
            assertThat(f.run(cdb(0x5A, 0, 0x0A, 0, 0, 0, 0, 0, 255, 0)).data()[3] & 0xff).isEqualTo(0x90);
            assertThat(f.run(cdb(0x1A, 0x08, 0x0A, 0, 255, 0)).data()[8] & 0xff).as("SWP").isEqualTo(0x08);
            f.run(rw6(0x0A, 0, 1), block).assertCheck(7, 0x27, 0).assertNoPointer();
            f.run(rw10(0x2A, 0, 1, 0), block).assertCheck(7, 0x27, 0);
            f.run(rw12(0xAA, 0, 1, 0), block).assertCheck(7, 0x27, 0);
            f.run(rw16(0x8A, 0, 1, 0), block).assertCheck(7, 0x27, 0);
            f.run(rw10(0x2E, 0, 1, 0x02), block).assertCheck(7, 0x27, 0);
            f.run(rw12(0xAE, 0, 1, 0x02), block).assertCheck(7, 0x27, 0);
            f.run(rw16(0x8E, 0, 1, 0x02), block).assertCheck(7, 0x27, 0);
            assertThat(f.device.cachedWrites.get() + f.device.durableWrites.get()).isZero();
            f.run(rw10(0x28, 0, 1, 0)).assertGood();
            f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            f.run(rw10(0x2F, 0, 1, 0)).assertGood();
            swp(f, false);
            assertThat(deviceSpecific6(f)).isEqualTo(0x10);
            f.run(rw10(0x2A, 0, 1, 0), block).assertGood();
        }
    }

    @Test
    void readOnlyDeviceReportsWpAndFailsWrites() {
        try (Fixture f = Fixture.direct(64)) {
            f.device.readOnly = true;
            assertThat(deviceSpecific6(f)).isEqualTo(0x90);
            f.run(rw10(0x2A, 0, 1, 0), pattern(512, 1)).assertCheck(7, 0x27, 0);
        }
    }

    @Test
    void exactlyTheWriteCommandsAreMarkedAsWritingTheMedium() {
        assertThat(CommandTable.rows().stream().filter(CommandSpec::writesMedium).map(CommandSpec::name))
                .containsExactlyInAnyOrder("WRITE(6)", "WRITE(10)", "WRITE(12)", "WRITE(16)",
                        "WRITE AND VERIFY(10)", "WRITE AND VERIFY(12)", "WRITE AND VERIFY(16)",
                        "COMPARE AND WRITE", "WRITE SAME(10)", "WRITE SAME(16)", "UNMAP", "ORWRITE(16)",
                        "WRITE ATOMIC(16)", "SANITIZE OVERWRITE", "SANITIZE BLOCK ERASE", "WRITE USING TOKEN");
    }
}

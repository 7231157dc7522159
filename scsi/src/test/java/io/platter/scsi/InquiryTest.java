package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InquiryTest {

    private static byte[] inquiry(Fixture f, int evpd, int page, int alloc) {
        return f.run(cdb(0x12, evpd, page, alloc >>> 8, alloc, 0)).assertGood().data();
    }

    @Test
    void standardData() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = inquiry(f, 0, 0, 255);
            assertThat(d).hasSize(96);
            assertThat(d[0]).isEqualTo((byte) 0x00);           // PQ 000b, direct access
            assertThat(d[2]).isEqualTo((byte) 0x06);           // SPC-4
            assertThat(d[3]).isEqualTo((byte) 0x12);           // HiSup, format 2
            assertThat(d[4] & 0xff).isEqualTo(91);             // additional length
            assertThat(d[7]).isEqualTo((byte) 0x02);           // CmdQue
            assertThat(new String(d, 8, 28, StandardCharsets.US_ASCII))
                    .isEqualTo("PLATTER VIRTUAL-DISK    0001");
            assertThat(ByteBufUtil.hexDump(d, 58, 12)).isEqualTo("00a0096005c00460060004c0");
            assertThat(d[5] & 0x30).as("TPGS implicit ALUA").isEqualTo(0x10);
        }
    }

    @Test
    void allocationLengthTruncates() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(inquiry(f, 0, 0, 36)).hasSize(36);
            assertThat(inquiry(f, 1, 0x83, 10)).hasSize(10);
            assertThat(f.run(cdb(0x12, 0, 0, 0, 0, 0)).assertGood().data()).isNull();
        }
    }

    @Test
    void supportedPages() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(ByteBufUtil.hexDump(inquiry(f, 1, 0, 255))).isEqualTo("000000070080 838fb0b1b2".replace(" ", ""));
        }
    }

    @Test
    void unitSerialNumberIsTheUuidHex() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = inquiry(f, 1, 0x80, 255);
            assertThat(ByteBufUtil.hexDump(d, 0, 4)).isEqualTo("00800020");
            assertThat(new String(d, 4, 32, StandardCharsets.US_ASCII)).isEqualTo("6f1c2b3a4d5e4f608a7b9c8d7e6f5a4b");
        }
    }

    @Test
    void deviceIdentificationHasNaaT10AndTargetPortDesignators() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = inquiry(f, 1, 0x83, 255);
            long naa = f.unit.identity().naa();
            assertThat(naa >>> 60).isEqualTo(3);
            assertThat(ByteBufUtil.hexDump(d, 0, 4)).isEqualTo("0083" + String.format("%04x", 12 + 44 + 16));
            assertThat(ByteBufUtil.hexDump(d, 4, 12)).isEqualTo("01030008" + String.format("%016x", naa));
            assertThat(ByteBufUtil.hexDump(d, 16, 4)).isEqualTo("02010028");
            assertThat(new String(d, 20, 40, StandardCharsets.US_ASCII))
                    .isEqualTo("PLATTER 6f1c2b3a4d5e4f608a7b9c8d7e6f5a4b");
            // relative target port 1 and target port group 1, association target port (SPC-5 §7.7.6.7-8)
            assertThat(ByteBufUtil.hexDump(d, 60, 16)).isEqualTo("01140004" + "00000001" + "01150004" + "00000001");
        }
    }

    @Test
    void identityIsStableForAUuidAndDiffersBetweenUuids() {
        LunIdentity a = new LunIdentity(Fixture.UUID_1);
        LunIdentity b = new LunIdentity(UUID.fromString(Fixture.UUID_1.toString()));
        assertThat(a.naa()).isEqualTo(b.naa()).isEqualTo(0x3L << 60 | (0x6f1c2b3a4d5e4f60L ^ 0x8a7b9c8d7e6f5a4bL) & 0x0FFF_FFFF_FFFF_FFFFL);
        assertThat(a.serialNumber()).isEqualTo(b.serialNumber());
        LunIdentity c = new LunIdentity(new UUID(0x6f1c2b3a4d5e4f60L, 0x8a7b9c8d7e6f5a4cL));
        assertThat(c.naa()).isNotEqualTo(a.naa());
    }

    @Test
    void blockLimits() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = inquiry(f, 1, 0xB0, 255);
            assertThat(d).hasSize(64);
            assertThat(ByteBufUtil.hexDump(d, 0, 16)).isEqualTo("00b0003c" + "0080" + "0008" + "00004000" + "00000000");
            // A thick unit: no UNMAP limits; MAXIMUM WRITE SAME LENGTH 65535.
            assertThat(ByteBufUtil.hexDump(d, 16, 32)).isEqualTo("00000000" + "00000000" + "00000000"
                    + "00000000" + "00000000" + "000000000000ffff" + "00000100");
            // Atomic limits (SBC-4 §6.6.4): 256 blocks (128 KiB), alignment and granularity 8 blocks (4 KiB),
            // no atomic boundaries.
            assertThat(ByteBufUtil.hexDump(d, 48, 8)).isEqualTo("00000008" + "00000008");
            assertThat(Arrays.copyOfRange(d, 56, 64)).containsOnly(0);
        }
    }

    @Test
    void blockDeviceCharacteristicsIsNonRotating() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = inquiry(f, 1, 0xB1, 255);
            assertThat(d).hasSize(64);
            // MEDIUM ROTATION RATE 1 (non-rotating); byte 7: WABEREQ 01b, reads after BLOCK ERASE are GOOD.
            assertThat(ByteBufUtil.hexDump(d, 0, 8)).isEqualTo("00b1003c00010040");
        }
    }

    @Test
    void logicalBlockProvisioningTellsThinFromThick() throws Exception {
        try (Fixture thick = Fixture.direct(8); Fixture thin = Fixture.thin(8)) {
            assertThat(ByteBufUtil.hexDump(inquiry(thick, 1, 0xB2, 255))).isEqualTo("00b2000400000000");
            assertThat(ByteBufUtil.hexDump(inquiry(thin, 1, 0xB2, 255))).isEqualTo("00b2000400e40200");
        }
    }

    @Test
    void errorsPointAtTheField() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.run(cdb(0x12, 0, 0x80, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(2, -1);
            f.run(cdb(0x12, 1, 0x81, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(2, -1);
            f.run(cdb(0x12, 2, 0, 0, 255, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 1); // CmdDt
            f.run(cdb(0x12, 0, 0, 0, 255, 4)).assertCheck(5, 0x24, 0).assertCdbPointer(5, 2); // NACA
        }
    }

    @Test
    void unmappedLunAnswersPeripheralQualifier3() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = Fixture.run(f.target, 5, cdb(0x12, 0, 0, 0, 96, 0), null).assertGood().data();
            assertThat(d[0]).isEqualTo((byte) 0x7F);
            Fixture.run(f.target, 5, cdb(0x12, 1, 0x80, 0, 96, 0), null).assertCheck(5, 0x25, 0);
        }
    }
}

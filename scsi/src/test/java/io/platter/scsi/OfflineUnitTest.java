package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.cdb16;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Fixture.rw16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.scsi.Fixture.Result;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import io.platter.scsi.mode.ModeStore;
import io.platter.scsi.reservation.ReservationStore;
import io.platter.scsi.task.MediumAccess;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An offline unit (its image could not be opened) answers like a disk that needs an operator
 * (SPC-5 §4.4.5, Annex D): NOT READY, LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED (02h,
 * 04h/03h) for every command that needs the medium, by the medium-access column of the opcode
 * table; INQUIRY, its VPD pages, REPORT LUNS, REQUEST SENSE, MODE SENSE, REPORT SUPPORTED OPERATION
 * CODES and persistent reservations as usual; and it gets its medium in place with NOT READY TO
 * READY CHANGE (06h, 28h/00h).
 */
class OfflineUnitTest {

    private static final byte[] TUR = cdb(0x00, 0, 0, 0, 0, 0);
    private static final int NOT_READY = 2;
    private static final String REASON = "cannot open /data/x.qcow2: backing file /data/base.raw does not exist";

    private final ScsiTarget target = new ScsiTarget("iqn.2024-01.io.platter:offline", Fixture.ALLOC);
    private LogicalUnit unit;
    private long internalErrors;

    @BeforeEach
    void mapOfflineUnit() throws Exception {
        internalErrors = InternalErrors.count();
        unit = LogicalUnit.offline(new LunIdentity(Fixture.UUID_1), REASON, Runnable::run, Fixture.ALLOC,
                ModeStore.inMemory(), ReservationStore.NONE);
        target.addLun(3, unit);
        run(TUR).assertCheck(6, 0x29, 0);   // a new I_T nexus starts with POWER ON, RESET
    }

    @AfterEach
    void noInternalErrors() {
        assertThat(InternalErrors.count()).as("internal errors").isEqualTo(internalErrors);
    }

    private Result run(byte[] cdb) {
        return Fixture.run(target, 3, cdb, null);
    }

    private Result run(byte[] cdb, byte[] dataOut) {
        return Fixture.run(target, 3, cdb, Unpooled.wrappedBuffer(dataOut));
    }

    private static byte[] readCapacity16() {
        return cdb16(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32);
    }

    @Test
    void everyCommandThatNeedsTheMediumIsNotReadyManualInterventionRequired() {
        assertThat(unit.offline()).isTrue();
        assertThat(unit.offlineReason()).isEqualTo(REASON);
        run(TUR).assertCheck(NOT_READY, 0x04, 0x03);
        run(rw10(0x28, 0, 1, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(rw16(0x88, 0, 1, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb(0x08, 0, 0, 0, 1, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(rw10(0x2A, 0, 1, 0), new byte[512]).assertCheck(NOT_READY, 0x04, 0x03);
        run(rw16(0x8A, 0, 1, 0), new byte[512]).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(readCapacity16()).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb16(0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32)).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(rw10(0x2F, 0, 1, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb(0x1B, 0, 0, 0, 1, 0)).assertCheck(NOT_READY, 0x04, 0x03);
        byte[] unmap = ByteBuffer.allocate(24).putShort((short) 22).putShort((short) 16).putInt(0)
                .putLong(0).putInt(1).array();
        run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), unmap).assertCheck(NOT_READY, 0x04, 0x03);
        run(cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0), new byte[512]).assertCheck(NOT_READY, 0x04, 0x03);
    }

    @Test
    void descriptorSenseCarriesTheSameCondition() {
        // D_SENSE=1 in the control mode page (SPC-5 §7.5.8): MODE SELECT works without a medium.
        byte[] control = io.netty.buffer.ByteBufUtil.decodeHexDump("00000000" + "0a0a" + "0610" + "00".repeat(8));
        run(cdb(0x15, 0x10, 0, 0, control.length, 0), control).assertGood();
        Result r = run(TUR).assertCheck(NOT_READY, 0x04, 0x03);
        assertThat(r.sense()[0] & 0xff).isEqualTo(0x72);
    }

    @Test
    void inquiryReportLunsRequestSenseModeSenseAndOpcodesWork() throws Exception {
        byte[] standard = run(cdb(0x12, 0, 0, 0, 0xFF, 0)).assertGood().data();
        assertThat(standard[0] & 0x1F).as("direct access block device").isZero();
        assertThat(new String(standard, 8, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(LunIdentity.VENDOR);

        byte[] luns = Fixture.run(target, 0, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null).assertGood().data();
        assertThat(luns[3]).as("LUN list length").isEqualTo((byte) 8);
        assertThat(luns[9]).as("LUN 3").isEqualTo((byte) 3);

        byte[] sense = run(cdb(0x03, 0, 0, 0, 0xFF, 0)).assertGood().data();
        assertThat(new int[] {sense[2] & 0x0F, sense[12] & 0xFF, sense[13] & 0xFF}).containsExactly(NOT_READY, 4, 3);

        run(cdb(0x1A, 0, 0x3F, 0, 0xFF, 0)).assertGood();
        run(cdb(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0)).assertGood();
        run(cdb(0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0)).assertGood();
        run(cdb(0x4D, 0, 0x00, 0, 0, 0, 0, 0x01, 0, 0)).assertGood();

        // The identifiers are those of the same identity with a medium (VPD 80h and 83h).
        try (Fixture online = Fixture.direct(64)) {
            for (int page : new int[] {0x00, 0x80, 0x83}) {
                byte[] vpd = cdb(0x12, 1, page, 0, 0xFF, 0);
                assertThat(run(vpd).assertGood().data()).as("VPD %02Xh", page)
                        .isEqualTo(online.run(vpd).assertGood().data());
            }
        }
    }

    @Test
    void persistentReservationsWorkWithoutTheMedium() {
        ByteBuf register = Unpooled.wrappedBuffer(ByteBuffer.allocate(24).putLong(0).putLong(0xAA).array());
        Fixture.run(target, 3, cdb(0x5F, 0x00, 0, 0, 0, 0, 0, 0, 24, 0), register).assertGood();
        byte[] keys = run(cdb(0x5E, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0)).assertGood().data();
        assertThat(ByteBuffer.wrap(keys).getInt(4)).as("additional length").isEqualTo(8);
        assertThat(ByteBuffer.wrap(keys).getLong(8)).isEqualTo(0xAA);
    }

    @Test
    void bringOnlineSwapsTheMediumInPlaceWithNotReadyToReadyChange() throws Exception {
        byte[] naaBefore = run(cdb(0x12, 1, 0x83, 0, 0xFF, 0)).assertGood().data();
        run(TUR).assertCheck(NOT_READY, 0x04, 0x03);

        MemoryDevice medium = new MemoryDevice(64 * 512, false);
        medium.write(0, Unpooled.wrappedBuffer(Fixture.pattern(512, 7)), false);
        unit.bringOnline(medium);

        assertThat(unit.offline()).isFalse();
        assertThat(unit.offlineReason()).isNull();
        assertThat(target.unit(3)).isSameAs(unit);
        run(TUR).assertCheck(6, 0x28, 0x00);
        run(TUR).assertGood();
        byte[] capacity = run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood().data();
        assertThat(ByteBuffer.wrap(capacity).getInt(0)).as("last LBA").isEqualTo(63);
        assertThat(ByteBuffer.wrap(run(readCapacity16()).assertGood().data()).getLong(0)).isEqualTo(63);
        assertThat(run(rw10(0x28, 0, 1, 0)).assertGood().data()).isEqualTo(Fixture.pattern(512, 7));
        run(rw10(0x2A, 1, 1, 0), new byte[512]).assertGood();
        assertThat(run(cdb(0x12, 1, 0x83, 0, 0xFF, 0)).assertGood().data()).as("NAA unchanged").isEqualTo(naaBefore);

        assertThatThrownBy(() -> unit.bringOnline(new MemoryDevice(512, false)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailedRetryKeepsTheUnitOfflineWithTheNewReason() {
        unit.stillOffline("permission denied");
        assertThat(unit.offlineReason()).isEqualTo("permission denied");
        run(TUR).assertCheck(NOT_READY, 0x04, 0x03);
    }

    /** The rule is a column: exactly these rows need the medium without reading or writing a block. */
    @Test
    void theRowsThatNeedTheMediumWithoutABlock() {
        assertThat(CommandTable.rows().stream().filter(s -> s.medium() == MediumAccess.STATE).map(CommandSpec::name))
                .containsExactlyInAnyOrder("TEST UNIT READY", "START STOP UNIT", "READ CAPACITY(10)",
                        "READ CAPACITY(16)", "GET LBA STATUS", "SYNCHRONIZE CACHE(10)", "SYNCHRONIZE CACHE(16)",
                        "PRE-FETCH(10)", "PRE-FETCH(16)", "READ DEFECT DATA(10)", "READ DEFECT DATA(12)",
                        "SANITIZE EXIT FAILURE MODE");
        assertThat(CommandTable.rows().stream().filter(s -> !s.medium().needsMedium()).map(CommandSpec::name))
                .contains("INQUIRY", "REPORT LUNS", "REQUEST SENSE", "MODE SENSE(6)", "MODE SENSE(10)",
                        "REPORT SUPPORTED OPERATION CODES", "PERSISTENT RESERVE IN/READ_KEYS",
                        "PERSISTENT RESERVE OUT/REGISTER");
    }
}

package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.sense.Sense;
import org.junit.jupiter.api.Test;

class UnitAttentionTest {

    static final ItNexus A = Fixture.NEXUS;
    static final ItNexus B = new ItNexus("iqn.other,i,0x2", "iqn.t,t,0x1");
    static final byte[] TUR = cdb(0x00, 0, 0, 0, 0, 0);
    static final byte[] INQUIRY = cdb(0x12, 0, 0, 0, 96, 0);
    static final byte[] REPORT_LUNS = cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
    static final byte[] REQUEST_SENSE = cdb(0x03, 0, 0, 0, 18, 0);

    private static Fixture.Result run(Fixture f, ItNexus n, byte[] cdb) {
        return Fixture.run(f.target, n, 0, cdb, null);
    }

    @Test
    void newNexusGetsPowerOnOnceAndInquiryReportLunsDoNotReportIt() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            run(f, B, INQUIRY).assertGood();
            run(f, B, REPORT_LUNS).assertGood();
            run(f, B, TUR).assertCheck(6, 0x29, 0x00);
            run(f, B, TUR).assertGood();
        }
    }

    @Test
    void requestSenseReturnsAndClearsTheUnitAttention() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] sense = run(f, B, REQUEST_SENSE).assertGood().data();
            assertThat(sense[0]).isEqualTo((byte) 0x70);
            assertThat(new int[] {sense[2] & 0xf, sense[12] & 0xff, sense[13] & 0xff}).containsExactly(6, 0x29, 0);
            byte[] none = run(f, B, REQUEST_SENSE).assertGood().data();
            assertThat(new int[] {none[2] & 0xf, none[12] & 0xff}).containsExactly(0, 0);
            run(f, B, TUR).assertGood();
        }
    }

    @Test
    void conditionsAreReportedInOrderEachOnceAndOnlyToTheirNexus() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            run(f, B, TUR).assertCheck(6, 0x29, 0);
            UnitAttentions ua = f.unit.unitAttentions();
            ua.raiseOthers(A, Sense.MODE_PARAMETERS_CHANGED);
            ua.raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
            ua.raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
            ua.raiseAll(Sense.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED);
            run(f, A, TUR).assertCheck(6, 0x2A, 0x09);
            run(f, A, TUR).assertCheck(6, 0x38, 0x07);
            run(f, A, TUR).assertGood();
            run(f, B, TUR).assertCheck(6, 0x2A, 0x01);
            run(f, B, TUR).assertCheck(6, 0x2A, 0x09);
            run(f, B, TUR).assertCheck(6, 0x38, 0x07);
            run(f, B, TUR).assertGood();
        }
    }

    @Test
    void powerOnSupersedesEverythingQueued() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.unit.unitAttentions().raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
            f.target.reset(A, ResetScope.LOGICAL_UNIT, 0);
            f.unit.unitAttentions().raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
            run(f, A, TUR).assertCheck(6, 0x29, 0);
            run(f, A, TUR).assertGood();
        }
    }

    @Test
    void reportLunsClearsOnlyReportedLunsDataHasChanged() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.unit.unitAttentions().raise(A, Sense.CAPACITY_DATA_HAS_CHANGED);
            f.target.addLun(5, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(4096, false),
                    Runnable::run, Fixture.ALLOC));
            run(f, A, REPORT_LUNS).assertGood();
            run(f, A, TUR).assertCheck(6, 0x2A, 0x09);
            run(f, A, TUR).assertGood();
            f.target.removeLun(5);
            run(f, A, TUR).assertCheck(6, 0x3F, 0x0E);
            run(f, A, TUR).assertGood();
        }
    }

    @Test
    void logicalUnitResetRaisesPowerOnForEveryNexusAndTargetResetForEveryUnit() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            run(f, B, TUR).assertCheck(6, 0x29, 0);
            f.target.reset(A, ResetScope.LOGICAL_UNIT, 0);
            run(f, A, TUR).assertCheck(6, 0x29, 0);
            run(f, B, TUR).assertCheck(6, 0x29, 0);
            f.target.reset(A, ResetScope.LOGICAL_UNIT, 9);   // unmapped: nothing happens
            run(f, A, TUR).assertGood();
            f.target.reset(B, ResetScope.TARGET, 0);
            run(f, A, TUR).assertCheck(6, 0x29, 0);
            run(f, A, TUR).assertGood();
        }
    }

    @Test
    void nexusLossForgetsTheNexusSoItStartsAfresh() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.target.nexusLost(A);
            run(f, A, TUR).assertCheck(6, 0x29, 0);
            run(f, A, TUR).assertGood();
        }
    }

    @Test
    void descriptorFormatUnitAttention() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.unit.unitAttentions().raise(A, Sense.CAPACITY_DATA_HAS_CHANGED);
            byte[] d = run(f, A, cdb(0x03, 1, 0, 0, 8, 0)).assertGood().data();
            assertThat(new int[] {d[0] & 0xff, d[1], d[2], d[3]}).containsExactly(0x72, 6, 0x2A, 0x09);
        }
    }

    @Test
    void modeSelectChangeRaisesModeParametersChangedForTheOtherNexusesOnly() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            run(f, B, TUR).assertCheck(6, 0x29, 0);
            byte[] caching = new byte[4 + 20];
            caching[4] = 0x08;
            caching[5] = 0x12;   // caching page, WCE=0
            Fixture.run(f.target, A, 0, cdb(0x15, 0x10, 0, 0, caching.length, 0),
                    Fixture.ALLOC.buffer().writeBytes(caching)).assertGood();
            run(f, A, TUR).assertGood();
            run(f, B, TUR).assertCheck(6, 0x2A, 0x01);
            run(f, B, TUR).assertGood();
        }
    }
}

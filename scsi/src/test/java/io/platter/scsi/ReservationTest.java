package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.scsi.Fixture.Result;
import io.platter.scsi.reservation.FileReservationStore;
import io.platter.scsi.reservation.TransportId;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReservationTest {

    static final ItNexus A = Fixture.NEXUS;
    static final ItNexus B = new ItNexus("iqn.node-b,i,0x000000000002", "iqn.t,t,0x1");
    static final byte[] TUR = cdb(0x00, 0, 0, 0, 0, 0);
    static final byte[] READ10 = Fixture.rw10(0x28, 0, 1, 0);
    static final int WE = 1, EA = 3, WERO = 5, EARO = 6, WEAR = 7, EAAR = 8;
    static final int REGISTER = 0, RESERVE = 1, RELEASE = 2, CLEAR = 3, PREEMPT = 4, PREEMPT_AND_ABORT = 5,
            REGISTER_AND_IGNORE = 6, REGISTER_AND_MOVE = 7;

    static Result run(Fixture f, ItNexus n, byte[] cdb) {
        return Fixture.run(f.target, n, 0, cdb, null);
    }

    static Result write(Fixture f, ItNexus n) {
        return Fixture.run(f.target, n, 0, Fixture.rw10(0x2A, 0, 1, 0), Unpooled.buffer(512).writeZero(512));
    }

    static Result prout(Fixture f, ItNexus n, int action, int type, long key, long saKey, int flags) {
        ByteBuffer p = ByteBuffer.allocate(24).putLong(key).putLong(saKey);
        p.put(20, (byte) flags);
        return Fixture.run(f.target, n, 0, cdb(0x5F, action, type, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(p.array()));
    }

    static byte[] prin(Fixture f, ItNexus n, int action) {
        return run(f, n, cdb(0x5E, action, 0, 0, 0, 0, 0, 0x10, 0, 0)).assertGood().data();
    }

    static Result conflict(Result r) {
        assertThat(r.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(r.sense()).isNull();
        return r;
    }

    /** A fixture where both nexuses are past their POWER ON unit attention. */
    static Fixture twoNexuses() {
        Fixture f = Fixture.direct(8);
        run(f, B, TUR).assertCheck(6, 0x29, 0);
        return f;
    }

    @Test
    void spc2ReserveConflictsForOtherNexusesUntilReleased() throws Exception {
        try (Fixture f = twoNexuses()) {
            run(f, A, cdb(0x16, 0, 0, 0, 0, 0)).assertGood();
            run(f, A, cdb(0x16, 0, 0, 0, 0, 0)).assertGood();      // again: fine
            conflict(run(f, B, cdb(0x16, 0, 0, 0, 0, 0)));
            conflict(run(f, B, TUR));
            conflict(run(f, B, READ10));
            conflict(prout(f, B, REGISTER, 0, 0, 1, 0));
            run(f, B, cdb(0x12, 0, 0, 0, 36, 0)).assertGood();
            run(f, B, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood();
            run(f, B, cdb(0x17, 0, 0, 0, 0, 0)).assertGood();       // not the holder: no effect
            conflict(run(f, B, READ10));
            write(f, A).assertGood();
            run(f, A, cdb(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            run(f, B, cdb(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            conflict(write(f, A));
            run(f, B, cdb(0x16, 0x01, 0, 0, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 0);
        }
    }

    @Test
    void spc2ReservationEndsWithResetAndNexusLoss() throws Exception {
        try (Fixture f = twoNexuses()) {
            run(f, A, cdb(0x16, 0, 0, 0, 0, 0)).assertGood();
            f.target.reset(B, ResetScope.LOGICAL_UNIT, 0);
            run(f, B, TUR).assertCheck(6, 0x29, 0);
            run(f, B, cdb(0x16, 0, 0, 0, 0, 0)).assertGood();
            f.target.nexusLost(B);
            run(f, A, TUR).assertCheck(6, 0x29, 0);
            run(f, A, cdb(0x16, 0, 0, 0, 0, 0)).assertGood();
        }
    }

    @Test
    void registerReadKeysAndGeneration() throws Exception {
        try (Fixture f = twoNexuses()) {
            assertThat(ByteBufUtil.hexDump(prin(f, A, 0))).isEqualTo("0000000000000000");
            prout(f, A, REGISTER, 0, 0, 0xAAL, 0).assertGood();
            prout(f, B, REGISTER_AND_IGNORE, 0, 0x1234, 0xBBL, 0).assertGood();
            conflict(prout(f, B, REGISTER, 0, 0x99, 0xCCL, 0));      // wrong key
            prout(f, B, REGISTER, 0, 0xBB, 0xCCL, 0).assertGood();    // key change
            assertThat(ByteBufUtil.hexDump(prin(f, B, 0)))
                    .isEqualTo("00000003" + "00000010" + "00000000000000aa" + "00000000000000cc");
            prout(f, A, REGISTER, 0, 0xAA, 0, 0).assertGood();         // unregister
            prout(f, A, REGISTER, 0, 0, 0, 0).assertGood();            // unregistered, key 0: no-op
            assertThat(ByteBufUtil.hexDump(prin(f, A, 0))).isEqualTo("00000004" + "00000008" + "00000000000000cc");
            prout(f, A, REGISTER, 0, 0, 1, 0x08).assertCheck(5, 0x26, 0).assertParameterPointer(20, 3); // SPEC_I_PT
            Fixture.run(f.target, A, 0, cdb(0x5F, REGISTER, 0, 0, 0, 0, 0, 0, 20, 0),
                    Unpooled.wrappedBuffer(new byte[20])).assertCheck(5, 0x1A, 0);
            run(f, A, cdb(0x5E, 4, 0, 0, 0, 0, 0, 0x10, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
            run(f, A, cdb(0x5F, 8, 0, 0, 0, 0, 0, 0, 24, 0)).assertCheck(5, 0x24, 0);
        }
    }

    @Test
    void reserveReadReservationReleaseAndTypeChecks() throws Exception {
        try (Fixture f = twoNexuses()) {
            conflict(prout(f, A, RESERVE, WE, 0xAA, 0, 0));             // not registered
            prout(f, A, REGISTER, 0, 0, 0xAA, 0).assertGood();
            prout(f, A, RESERVE, 2, 0xAA, 0, 0).assertCheck(5, 0x24, 0).assertCdbPointer(2, 3);
            prout(f, A, RESERVE, 0x10 | WE, 0xAA, 0, 0).assertCheck(5, 0x24, 0).assertCdbPointer(2, 7);
            prout(f, A, RESERVE, WE, 0xAA, 0, 0).assertGood();
            prout(f, A, RESERVE, WE, 0xAA, 0, 0).assertGood();
            conflict(prout(f, A, RESERVE, EA, 0xAA, 0, 0));
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1)))
                    .isEqualTo("00000001" + "00000010" + "00000000000000aa" + "00000000" + "00" + "01" + "0000");
            conflict(write(f, B));
            run(f, B, READ10).assertGood();
            conflict(run(f, A, cdb(0x16, 0, 0, 0, 0, 0)));              // SPC-2 RESERVE under a PR
            prout(f, A, RELEASE, EA, 0xAA, 0, 0).assertCheck(5, 0x26, 0x04);
            prout(f, A, RELEASE, WE, 0xAA, 0, 0).assertGood();
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1))).isEqualTo("00000001" + "00000000");
            write(f, B).assertGood();
        }
    }

    @Test
    void exclusiveAccessBlocksReadsOfNonHoldersAndRegistrantsOnlyAdmitsRegistrants() throws Exception {
        try (Fixture f = twoNexuses()) {
            prout(f, A, REGISTER, 0, 0, 0xA, 0).assertGood();
            prout(f, A, RESERVE, EA, 0xA, 0, 0).assertGood();
            conflict(run(f, B, READ10));
            run(f, B, TUR).assertGood();
            run(f, B, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            prout(f, A, RELEASE, EA, 0xA, 0, 0).assertGood();
            prout(f, A, RESERVE, EARO, 0xA, 0, 0).assertGood();
            conflict(run(f, B, READ10));
            prout(f, B, REGISTER, 0, 0, 0xB, 0).assertGood();
            run(f, B, READ10).assertGood();
            write(f, B).assertGood();
            // The holder unregisters: a registrants only reservation goes, and the others hear of it.
            prout(f, A, REGISTER, 0, 0xA, 0, 0).assertGood();
            assertThat(ByteBufUtil.hexDump(prin(f, A, 1))).isEqualTo("00000003" + "00000000");
            run(f, B, TUR).assertCheck(6, 0x2A, 0x04);
            run(f, A, TUR).assertGood();
        }
    }

    @Test
    void allRegistrantsReservationStaysWhileAnyRegistrantRemains() throws Exception {
        try (Fixture f = twoNexuses()) {
            prout(f, A, REGISTER, 0, 0, 0xA, 0).assertGood();
            prout(f, B, REGISTER, 0, 0, 0xB, 0).assertGood();
            prout(f, A, RESERVE, WEAR, 0xA, 0, 0).assertGood();
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1)))
                    .isEqualTo("00000002" + "00000010" + "0000000000000000" + "00000000" + "00" + "07" + "0000");
            prout(f, A, REGISTER, 0, 0xA, 0, 0).assertGood();
            assertThat(prin(f, B, 1)[7]).isEqualTo((byte) 0x10);
            prout(f, B, RELEASE, WEAR, 0xB, 0, 0).assertGood();
            run(f, B, TUR).assertGood();   // the releaser gets no RESERVATIONS RELEASED
            run(f, A, TUR).assertGood();   // and an unregistered nexus neither
        }
    }

    @Test
    void reportCapabilitiesAndFullStatus() throws Exception {
        try (Fixture f = twoNexuses()) {
            assertThat(ByteBufUtil.hexDump(prin(f, A, 2))).isEqualTo("0008" + "15" + "90" + "ea01" + "0000");
            prout(f, A, REGISTER, 0, 0, 0xA, 0x04).assertGood();   // ALL_TG_PT
            prout(f, A, RESERVE, WERO, 0xA, 0, 0).assertGood();
            byte[] d = prin(f, B, 3);
            byte[] tid = TransportId.encode(A.initiatorPort());
            assertThat(ByteBufUtil.hexDump(d, 0, 8)).isEqualTo("00000001" + String.format("%08x", 24 + tid.length));
            assertThat(ByteBufUtil.hexDump(d, 8, 24))
                    .isEqualTo("000000000000000a" + "00000000" + "03" + "05" + "00000000" + "0001"
                            + String.format("%08x", tid.length));
            assertThat(ByteBufUtil.hexDump(d, 32, tid.length)).isEqualTo(ByteBufUtil.hexDump(tid));
            assertThat(tid[0]).isEqualTo((byte) 0x45);
            byte[] b = TransportId.encode(B.initiatorPort());
            assertThat(TransportId.decode(b, 0, b.length)).isEqualTo(B.initiatorPort());
            assertThat(TransportId.decode(tid, 0, tid.length)).as("ISID padded to 12 digits")
                    .isEqualTo("iqn.i,i,0x000000000001");
            b[0] = 0x05;   // format 00b names no ISID, so no port
            assertThat(TransportId.decode(b, 0, b.length)).isNull();
        }
    }

    @Test
    void preemptRemovesRegistrationsAndTakesTheReservation() throws Exception {
        try (Fixture f = twoNexuses()) {
            prout(f, A, REGISTER, 0, 0, 0xA, 0).assertGood();
            prout(f, B, REGISTER, 0, 0, 0xB, 0).assertGood();
            prout(f, B, PREEMPT, WE, 0xB, 0, 0).assertCheck(5, 0x26, 0).assertParameterPointer(8, -1);
            conflict(prout(f, B, PREEMPT, WE, 0xB, 0x77, 0));          // nobody has key 77
            prout(f, A, RESERVE, WE, 0xA, 0, 0).assertGood();
            prout(f, B, PREEMPT, EA, 0xB, 0xA, 0).assertGood();
            run(f, A, TUR).assertCheck(6, 0x2A, 0x05);
            assertThat(ByteBufUtil.hexDump(prin(f, A, 0))).isEqualTo("00000003" + "00000008" + "000000000000000b");
            assertThat(prin(f, A, 1)[21]).isEqualTo((byte) EA);
            conflict(run(f, A, READ10));
        }
    }

    /** REGISTER AND MOVE: B becomes the holder, A stays registered unless UNREG. */
    @Test
    void registerAndMove() throws Exception {
        try (Fixture f = twoNexuses()) {
            prout(f, A, REGISTER, 0, 0, 0xA, 0).assertGood();
            prout(f, A, RESERVE, WE, 0xA, 0, 0).assertGood();
            byte[] tid = TransportId.encode(B.initiatorPort());
            ByteBuffer p = ByteBuffer.allocate(24 + tid.length).putLong(0xA).putLong(0xB);
            p.put(17, (byte) 0x02).putShort(18, (short) 1).putInt(20, tid.length).put(24, tid);
            Fixture.run(f.target, A, 0, cdb(0x5F, REGISTER_AND_MOVE, 0, 0, 0, 0, 0, 0, p.capacity(), 0),
                    Unpooled.wrappedBuffer(p.array())).assertGood();
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1), 8, 8)).isEqualTo("000000000000000b");
            assertThat(ByteBufUtil.hexDump(prin(f, B, 0))).isEqualTo("00000002" + "00000008" + "000000000000000b");
            write(f, B).assertGood();
            conflict(write(f, A));
        }
    }

    /** PREEMPT AND ABORT hands the preempted nexuses to the transport and tells the losers (SPC-5 §5.14.11.5). */
    @Test
    void preemptAndAbortAbortsThePreemptedNexusesTasksThroughTheTransport() throws Exception {
        ItNexus c = new ItNexus("iqn.node-c,i,0x000000000003", "iqn.t,t,0x1");
        try (Fixture f = twoNexuses()) {
            run(f, c, TUR).assertCheck(6, 0x29, 0);
            java.util.List<Integer> luns = new java.util.ArrayList<>();
            java.util.List<java.util.function.Predicate<ItNexus>> asked = new java.util.ArrayList<>();
            f.target.taskAborter((lun, which) -> {
                luns.add(lun);
                asked.add(which);
                return java.util.concurrent.CompletableFuture.completedFuture(java.util.Set.of(B));
            });
            prout(f, A, REGISTER, 0, 0, 0xA, 0).assertGood();
            prout(f, B, REGISTER, 0, 0, 0xB, 0).assertGood();
            prout(f, c, REGISTER, 0, 0, 0xC, 0).assertGood();
            prout(f, B, RESERVE, WE, 0xB, 0, 0).assertGood();
            prout(f, A, PREEMPT, WE, 0xA, 0xC, 0).assertGood();
            assertThat(asked).isEmpty();                         // plain PREEMPT aborts nothing
            prout(f, A, PREEMPT_AND_ABORT, EA, 0xA, 0xB, 0).assertGood();
            assertThat(luns).containsExactly(0);
            assertThat(asked.get(0).test(B)).isTrue();
            assertThat(asked.get(0).test(A)).isFalse();
            assertThat(asked.get(0).test(c)).isFalse();          // preempted earlier, not by this command
            run(f, B, TUR).assertCheck(6, 0x2A, 0x05);          // REGISTRATIONS PREEMPTED
            run(f, B, TUR).assertCheck(6, 0x2F, 0x00);          // COMMANDS CLEARED BY ANOTHER INITIATOR
            run(f, B, TUR).assertGood();
            run(f, c, TUR).assertCheck(6, 0x2A, 0x05);
            run(f, c, TUR).assertGood();                          // c lost no tasks
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1), 8, 8)).isEqualTo(String.format("%016x", 0xAL));
        }
    }

    /** The sequence Windows failover cluster validation runs against a disk, from two nodes. */
    @Test
    void windowsFailoverClusterValidationSequence() throws Exception {
        try (Fixture f = twoNexuses()) {
            long keyA = 0x1111_0000_0000_0001L;
            long keyB = 0x2222_0000_0000_0002L;
            prout(f, A, REGISTER_AND_IGNORE, 0, 0, keyA, 0).assertGood();
            prout(f, B, REGISTER_AND_IGNORE, 0, 0, keyB, 0).assertGood();
            prout(f, A, RESERVE, WERO, keyA, 0, 0).assertGood();
            assertThat(ByteBufUtil.hexDump(prin(f, B, 0)))
                    .isEqualTo("00000002" + "00000010" + String.format("%016x%016x", keyA, keyB));
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1), 8, 8)).isEqualTo(String.format("%016x", keyA));
            write(f, B).assertGood();                         // registrants only: B registered
            prout(f, B, PREEMPT, WERO, keyB, keyA, 0).assertGood();
            run(f, A, TUR).assertCheck(6, 0x2A, 0x05);         // REGISTRATIONS PREEMPTED
            conflict(write(f, A));
            conflict(prout(f, A, RESERVE, WERO, keyA, 0, 0));  // A lost its registration
            prout(f, A, REGISTER_AND_IGNORE, 0, 0, keyA, 0).assertGood();
            prout(f, A, PREEMPT_AND_ABORT, WERO, keyA, keyB, 0).assertGood();
            run(f, B, TUR).assertCheck(6, 0x2A, 0x05);
            assertThat(ByteBufUtil.hexDump(prin(f, B, 1), 8, 8)).isEqualTo(String.format("%016x", keyA));
            prout(f, A, RELEASE, WERO, keyA, 0, 0).assertGood();
            run(f, A, TUR).assertGood();
            prout(f, B, REGISTER_AND_IGNORE, 0, 0, keyB, 0).assertGood();
            prout(f, B, CLEAR, 0, keyB, 0, 0).assertGood();
            run(f, A, TUR).assertCheck(6, 0x2A, 0x03);         // RESERVATIONS PREEMPTED
            assertThat(ByteBufUtil.hexDump(prin(f, A, 0))).isEqualTo("00000007" + "00000000");
            write(f, A).assertGood();
        }
    }

    @Test
    void aptplStateSurvivesARestartAndIsDeletedWithoutIt(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun0.img");
        FileReservationStore store = FileReservationStore.besideImage(image);
        assertThat(store.file()).isEqualTo(dir.resolve("lun0.img.pr"));
        ScsiTarget first = target(store);
        Fixture.run(first, A, 0, TUR, null).assertCheck(6, 0x29, 0);
        Fixture.run(first, A, 0, cdb(0x5F, REGISTER, 0, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(ByteBuffer.allocate(24).putLong(0).putLong(0xAB).put(20, (byte) 0x05).array()))
                .assertGood();
        Fixture.run(first, A, 0, cdb(0x5F, RESERVE, EA, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(ByteBuffer.allocate(24).putLong(0xAB).array())).assertGood();
        assertThat(Files.exists(store.file())).isTrue();
        assertThat(Files.exists(dir.resolve("lun0.img.pr.tmp"))).isFalse();

        ScsiTarget second = target(FileReservationStore.besideImage(image));
        Fixture.run(second, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        assertThat(Fixture.run(second, B, 0, READ10, null).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        byte[] r = Fixture.run(second, B, 0, cdb(0x5E, 1, 0, 0, 0, 0, 0, 0x10, 0, 0), null).assertGood().data();
        assertThat(ByteBufUtil.hexDump(r)).isEqualTo("00000001" + "00000010" + "00000000000000ab" + "00000000" + "00"
                + "03" + "0000");
        byte[] caps = Fixture.run(second, B, 0, cdb(0x5E, 2, 0, 0, 0, 0, 0, 0x10, 0, 0), null).data();
        assertThat(caps[3] & 1).as("PTPL_A").isEqualTo(1);
        Fixture.run(second, A, 0, TUR, null).assertCheck(6, 0x29, 0);
        // Re-register without APTPL: the saved state goes away.
        Fixture.run(second, A, 0, cdb(0x5F, REGISTER, 0, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(ByteBuffer.allocate(24).putLong(0xAB).putLong(0xAC).array())).assertGood();
        assertThat(Files.exists(store.file())).isFalse();
    }

    @Test
    void reportTargetPortGroups() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] d = f.run(cdb(0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("0000000c" + "80010001" + "00000001" + "00000001");
            byte[] x = f.run(cdb(0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(x)).isEqualTo("00000010" + "10000000" + "80010001" + "00000001" + "00000001");
            f.run(cdb(0xA3, 0x4A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 7);
        }
    }

    private static ScsiTarget target(FileReservationStore store) throws Exception {
        ScsiTarget t = new ScsiTarget("t", Fixture.ALLOC);
        t.addLun(0, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(8 * 512, false), Runnable::run,
                Fixture.ALLOC, store));
        return t;
    }
}

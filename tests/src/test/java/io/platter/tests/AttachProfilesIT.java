package io.platter.tests;

import static io.platter.tests.support.RawScsiSession.CHECK_CONDITION;
import static io.platter.tests.support.RawScsiSession.GOOD;
import static io.platter.tests.support.RawScsiSession.RESERVATION_CONFLICT;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.Cdb;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection.Chap;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.RawScsiSession.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the Windows Server iSCSI Initiator and VMware ESXi's software iSCSI adapter do when they
 * attach a disk, replayed by the project's raw initiator: their login keys, the pages they read
 * at attach, and the workloads they put on a shared disk (failover-cluster reservations, VMFS
 * heartbeats over ATS, XCOPY, UNMAP). No Windows or ESXi host is available, so each profile is
 * written from public descriptions of those initiators, cited per test; it checks every status
 * and every read-back.
 */
@Timeout(120)
class AttachProfilesIT {

    static final String WINDOWS = "iqn.1991-05.com.microsoft:node1.cluster.example";
    static final String WINDOWS_2 = "iqn.1991-05.com.microsoft:node2.cluster.example";
    static final String ESXI = "iqn.1998-01.com.vmware:esx1-5a1b2c3d";
    static final String ESXI_2 = "iqn.1998-01.com.vmware:esx2-6e7f8a9b";
    static final String CHAP_USER = WINDOWS;
    static final String CHAP_SECRET = "Win12to16Secr";   // 13 bytes: the Windows initiator demands 12 to 16
    static final int BLOCK = 512;

    /**
     * Windows Server iSCSI Initiator. Sources (public descriptions): Microsoft's iSCSI Initiator
     * user guide (CHAP secrets of 12 to 16 bytes, CHAP MD5; MaxConnections offered for MC/S;
     * registry defaults FirstBurstLength 65536, MaxBurstLength 262144, MaxRecvDataSegmentLength
     * 65536, here raised to the 262144 limit an administrator may set); Windows login traces
     * offer ErrorRecoveryLevel 2, InitialR2T=No, ImmediateData=Yes. Attach: Windows disk class
     * driver reads standard INQUIRY, VPD 00/80/83 (device identity), B0/B2 (thin provisioning,
     * as the HLK thin-provisioning tests check), READ CAPACITY(16), REPORT LUNS, the caching mode
     * page; "Optimize drives"/delete notification sends TRIM as UNMAP. Failover Cluster
     * validation ("Validate SCSI-3 Persistent Reservation") registers from two nodes, reserves
     * Write Exclusive - Registrants Only (type 5), checks the other node's reserve conflicts,
     * reads keys and reservation, preempts, releases and clears.
     */
    @Test
    void windowsServerInitiatorAttachesTrimsAndPassesClusterReservations() throws IOException {
        try (PlatterProcess server = PlatterProcess.start("AttachWindows", (port, dir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    chap: {user: "%s", secret: "%s"}
                    luns:
                      - {id: 0, image: lun0.img, size: 64M, provisioning: thin}
                """.formatted(port, dir.toAbsolutePath(), PlatterProcess.IQN, CHAP_USER, CHAP_SECRET));
             RawScsiSession node1 = windowsLogin(server, WINDOWS);
             RawScsiSession node2 = windowsLogin(server, WINDOWS_2)) {
            Map<String, String> a = node1.answers();
            assertThat(a.get("HeaderDigest")).isEqualTo("None");
            assertThat(a.get("DataDigest")).isEqualTo("None");
            // Windows offers ERL 2; we support up to 1 (RFC 7143 §13.20: the lower value wins).
            assertThat(a.get("ErrorRecoveryLevel")).as("min(2, ours)")
                    .isEqualTo(io.platter.iscsi.login.LoginKey.ERROR_RECOVERY_LEVEL.ours());
            assertThat(Integer.parseInt(a.get("MaxConnections"))).isBetween(1, 8);
            assertThat(a.get("ImmediateData")).isEqualTo("Yes");
            assertThat(a.get("InitialR2T")).as("OR(No, ours)").isIn("Yes", "No");
            assertThat(Integer.parseInt(a.get("MaxBurstLength"))).isBetween(512, 262144);
            assertThat(Integer.parseInt(a.get("FirstBurstLength"))).isBetween(512, Integer.parseInt(a.get("MaxBurstLength")));
            assertThat(node1.takeUnitAttentions()).isNotEmpty();
            node2.takeUnitAttentions();

            attachCommon(node1, 0);
            Result caching = ok(node1, 0, Cdb.modeSense10(0x08), 0x1000);
            assertThat(caching.data()[8] & 0x3F).as("caching page code").isEqualTo(0x08);
            assertThat(caching.data()[9] & 0xFF).as("caching page length").isEqualTo(0x12);

            // TRIM: write 64 blocks, UNMAP them in two descriptors, read back zeros (LBPRZ).
            ok(node1, 0, Cdb.write16(4096, 16), pattern(16, 0x5A));
            ok(node1, 0, Cdb.write16(4112, 16), pattern(16, 0xA5));
            byte[] cap = ok(node1, 0, Cdb.readCapacity16(), 32).data();
            assertThat(cap[14] & 0x80).as("LBPME").isNotZero();
            assertThat(cap[14] & 0x40).as("LBPRZ").isNotZero();
            byte[] list = Cdb.unmapList(new long[][] {{4096, 16}, {4112, 16}});
            ok(node1, 0, Cdb.unmap(list.length), list);
            assertThat(ok(node1, 0, Cdb.read16(4096, 32), 32 * BLOCK).data()).isEqualTo(new byte[32 * BLOCK]);

            unsolicitedDataOut(node1, a);
            clusterValidation(node1, node2);
        }
    }

    /**
     * The issue names a Windows quirk in the Data-Out LUN field. What RFC 7143 §11.7.4 requires:
     * with TTT ffffffff (unsolicited data) the LUN field is reserved, so whatever the initiator
     * puts there (here LUN 1's address on a write to LUN 0) must not matter. Needs
     * InitialR2T=No (answered No); the PDU size stays within the target's declared MaxRecvDataSegmentLength.
     */
    private static void unsolicitedDataOut(RawScsiSession s, Map<String, String> answers) throws IOException {
        assertThat(answers.get("InitialR2T")).as("the target accepts Windows' InitialR2T=No").isEqualTo("No");
        int pdu = Math.min(8192, Integer.parseInt(answers.getOrDefault("MaxRecvDataSegmentLength", "8192")));
        int blocks = Math.min(64, Integer.parseInt(answers.get("FirstBurstLength")) / BLOCK);
        byte[] data = pattern(blocks, 0x77);
        Result r = s.unsolicitedWrite(0, Cdb.write16(6000, blocks), data, pdu / 2, pdu, 1);
        assertThat(r.status()).as("unsolicited write " + r.senseCode()).isEqualTo(GOOD);
        assertThat(ok(s, 0, Cdb.read16(6000, blocks), blocks * BLOCK).data()).isEqualTo(data);
    }

    /** Failover-cluster validation's persistent-reservation sequence (SPC-5 §5.14) from two nodes. */
    private static void clusterValidation(RawScsiSession node1, RawScsiSession node2) throws IOException {
        long key1 = 0x1111_0000_0000_0001L;
        long key2 = 0x2222_0000_0000_0002L;
        int wero = 5;
        assertThat(node1.persistentReserveOut(0, 0, 0, key1, 0).status()).as("REGISTER node1").isEqualTo(GOOD);
        assertThat(node2.persistentReserveOut(0, 0, 0, key2, 0).status()).as("REGISTER node2").isEqualTo(GOOD);
        assertThat(keys(node1.persistentReserveIn(0))).containsExactlyInAnyOrder(key1, key2);
        assertThat(node1.persistentReserveOut(1, wero, key1, 0, 0).status()).as("RESERVE node1").isEqualTo(GOOD);
        assertThat(node2.persistentReserveOut(1, wero, key2, 0, 0).status()).as("RESERVE node2 while node1 holds")
                .isEqualTo(RESERVATION_CONFLICT);
        byte[] reservation = node2.persistentReserveIn(1);
        assertThat(ByteBuffer.wrap(reservation).getInt(4)).as("reservation length").isEqualTo(16);
        assertThat(ByteBuffer.wrap(reservation).getLong(8)).isEqualTo(key1);
        assertThat(reservation[21] & 0x0F).isEqualTo(wero);
        // Registrants Only: node2 (registered) may write.
        assertThat(node2.command(Cdb.write16(100, 1), pattern(1, 2), 0).status()).isEqualTo(GOOD);
        // PREEMPT: node2 removes node1's registration and takes the reservation.
        assertThat(node2.persistentReserveOut(4, wero, key2, key1, 0).status()).as("PREEMPT").isEqualTo(GOOD);
        assertThat(keys(node2.persistentReserveIn(0))).containsExactly(key2);
        assertThat(ByteBuffer.wrap(node2.persistentReserveIn(1)).getLong(8)).isEqualTo(key2);
        assertThat(node1.takeUnitAttentions()).as("REGISTRATIONS PREEMPTED (SPC-5 §5.14.11.4)").contains("6/2a/05");
        assertThat(node1.command(Cdb.write16(101, 1), pattern(1, 1), 0).status()).as("preempted node writes")
                .isEqualTo(RESERVATION_CONFLICT);
        assertThat(node1.command(Cdb.read16(100, 1), null, BLOCK).status()).as("reads stay allowed").isEqualTo(GOOD);
        assertThat(node2.persistentReserveOut(2, wero, key2, 0, 0).status()).as("RELEASE").isEqualTo(GOOD);
        assertThat(ByteBuffer.wrap(node2.persistentReserveIn(1)).getInt(4)).as("no reservation").isZero();
        assertThat(node2.persistentReserveOut(3, 0, key2, 0, 0).status()).as("CLEAR").isEqualTo(GOOD);
        byte[] cleared = node2.persistentReserveIn(0);
        assertThat(keys(cleared)).isEmpty();
        assertThat(ByteBuffer.wrap(cleared).getInt(0)).as("PRgeneration counted").isGreaterThanOrEqualTo(4);
    }

    private static RawScsiSession windowsLogin(PlatterProcess server, String iqn) throws IOException {
        return RawScsiSession.login(server.port(), iqn, PlatterProcess.IQN, new Chap(CHAP_USER, CHAP_SECRET),
                "HeaderDigest=None,CRC32C", "DataDigest=None,CRC32C", "ErrorRecoveryLevel=2", "MaxConnections=8",
                "InitialR2T=No", "ImmediateData=Yes", "MaxRecvDataSegmentLength=262144",
                "FirstBurstLength=262144", "MaxBurstLength=262144", "MaxOutstandingR2T=1",
                "DefaultTime2Wait=0", "DefaultTime2Retain=0", "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes");
    }

    /** INQUIRY standard and VPD 00/80/83/B0/B2, READ CAPACITY(16), REPORT LUNS: what both hosts read. */
    private static byte[] attachCommon(RawScsiSession s, int lun) throws IOException {
        byte[] std = ok(s, lun, Cdb.inquiry(-1), 4096).data();
        assertThat(std[0] & 0x1F).as("direct access").isZero();
        byte[] supported = ok(s, lun, Cdb.inquiry(0x00), 4096).data();
        byte[] pages = Arrays.copyOfRange(supported, 4, 4 + (supported[3] & 0xFF));
        assertThat(pages).contains(0x00, 0x80, 0x83, (byte) 0xB0, (byte) 0xB2);
        byte[] serial = ok(s, lun, Cdb.inquiry(0x80), 4096).data();
        assertThat(serial[3] & 0xFF).as("serial length").isPositive();
        byte[] ids = ok(s, lun, Cdb.inquiry(0x83), 4096).data();
        assertThat(ids[5] & 0x0F).as("first designator NAA").isEqualTo(3);
        byte[] limits = ok(s, lun, Cdb.inquiry(0xB0), 4096).data();
        assertThat(limits[1] & 0xFF).isEqualTo(0xB0);
        byte[] lbp = ok(s, lun, Cdb.inquiry(0xB2), 4096).data();
        assertThat(lbp[5] & 0x80).as("LBPU").isNotZero();
        byte[] cap = ok(s, lun, Cdb.readCapacity16(), 32).data();
        assertThat(ByteBuffer.wrap(cap).getInt(8)).as("block length").isEqualTo(BLOCK);
        assertThat(ByteBuffer.wrap(cap).getLong(0) + 1).as("blocks").isEqualTo(64L * 1024 * 1024 / BLOCK);
        byte[] luns = ok(s, lun, Cdb.reportLuns(), 4096).data();
        assertThat(ByteBuffer.wrap(luns).getInt(0)).as("LUN list length").isPositive();
        return Arrays.copyOfRange(ids, 8, 16);
    }

    static Result ok(RawScsiSession s, int lun, byte[] cdb, int in) throws IOException {
        Result r = s.command(lun, cdb, null, in);
        assertThat(r.status()).as("status of %02x: %s", cdb[0], r.senseCode()).isEqualTo(GOOD);
        return r;
    }

    static Result ok(RawScsiSession s, int lun, byte[] cdb, byte[] out) throws IOException {
        Result r = s.command(lun, cdb, out, 0);
        assertThat(r.status()).as("status of %02x: %s", cdb[0], r.senseCode()).isEqualTo(GOOD);
        return r;
    }

    static byte[] pattern(int blocks, int seed) {
        byte[] b = new byte[blocks * BLOCK];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed + i * 31);
        }
        return b;
    }

    static long[] keys(byte[] readKeys) {
        ByteBuffer b = ByteBuffer.wrap(readKeys);
        long[] keys = new long[b.getInt(4) / 8];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = b.getLong(8 + 8 * i);
        }
        return keys;
    }

    /**
     * VMware ESXi software iSCSI adapter. Sources (public descriptions): VMware's iSCSI SAN
     * configuration guide and adapter advanced settings (ErrorRecoveryLevel 0 only, no MC/S,
     * FirstBurstLength 262144, MaxBurstLength 262144, MaxRecvDataSegLen 131072); the VAAI
     * block-primitive descriptions (ATS = COMPARE AND WRITE for VMFS locks and heartbeats, XCOPY =
     * EXTENDED COPY for clones, UNMAP reclaim at the 1 MiB VMFS block granularity); VMware's ALUA
     * / SATP descriptions (TPGS in standard INQUIRY, REPORT TARGET PORT GROUPS); and the device
     * identification ESXi builds its naa.* names from (VPD 80h/83h, which must not change).
     * Older VMFS mounts use SCSI-2 RESERVE(6)/RELEASE(6) around metadata updates.
     */
    @Test
    void vmwareEsxiMountsVmfsWithAtsHeartbeatsXcopyAndUnmap() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("AttachEsxi", "64M", 2)) {
            byte[] naa0;
            byte[] serial0;
            try (RawScsiSession host1 = esxiLogin(server, ESXI);
                 RawScsiSession host2 = esxiLogin(server, ESXI_2)) {
                Map<String, String> a = host1.answers();
                assertThat(a.get("ErrorRecoveryLevel")).isEqualTo("0");
                assertThat(a.get("MaxConnections")).isEqualTo("1");
                assertThat(a.get("HeaderDigest")).isEqualTo("None");
                assertThat(Integer.parseInt(a.get("MaxBurstLength"))).isBetween(512, 262144);
                assertThat(Integer.parseInt(a.get("FirstBurstLength"))).isBetween(512, 262144);
                for (RawScsiSession h : new RawScsiSession[] {host1, host2}) {
                    readyAllLuns(h);
                }
                naa0 = attachCommon(host1, 0);
                assertThat(attachCommon(host2, 0)).as("same NAA from every host").isEqualTo(naa0);
                byte[] naa1 = attachCommon(host1, 1);
                assertThat(naa1).isNotEqualTo(naa0);
                serial0 = ok(host1, 0, Cdb.inquiry(0x80), 4096).data();
                vaaiLimitsAndAlua(host1);
                scsi2ReserveDuringMount(host1, host2);
                atsHeartbeats(host1, host2);
                xcopyClone(host1, naa0, naa1);
                unmapAtVmfsGranularity(host1);
            }
            server.restart();
            try (RawScsiSession host1 = esxiLogin(server, ESXI)) {
                readyAllLuns(host1);
                assertThat(attachCommon(host1, 0)).as("NAA after a restart").isEqualTo(naa0);
                assertThat(ok(host1, 0, Cdb.inquiry(0x80), 4096).data()).as("serial after a restart").isEqualTo(serial0);
            }
        }
    }

    private static RawScsiSession esxiLogin(PlatterProcess server, String iqn) throws IOException {
        return RawScsiSession.login(server.port(), iqn, PlatterProcess.IQN, null,
                "HeaderDigest=None", "DataDigest=None", "ErrorRecoveryLevel=0", "MaxConnections=1",
                "InitialR2T=Yes", "ImmediateData=Yes", "MaxRecvDataSegmentLength=131072",
                "FirstBurstLength=262144", "MaxBurstLength=262144", "MaxOutstandingR2T=1",
                "DefaultTime2Wait=2", "DefaultTime2Retain=0", "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes");
    }

    private static void readyAllLuns(RawScsiSession h) throws IOException {
        for (int lun = 0; lun < 2; lun++) {
            for (int i = 0; h.command(lun, new byte[6], null, 0).status() != GOOD; i++) {
                assertThat(i).as("unit attentions on LUN " + lun + " end").isLessThan(8);
            }
        }
    }

    /** Block Limits (SBC-4 §6.6.4), standard INQUIRY TPGS and REPORT TARGET PORT GROUPS (SPC-5 §6.36). */
    private static void vaaiLimitsAndAlua(RawScsiSession h) throws IOException {
        ByteBuffer limits = ByteBuffer.wrap(ok(h, 0, Cdb.inquiry(0xB0), 4096).data());
        assertThat(limits.get(5) & 0xFF).as("MAXIMUM COMPARE AND WRITE LENGTH").isGreaterThanOrEqualTo(1);
        assertThat(limits.getInt(20) & 0xFFFFFFFFL).as("MAXIMUM UNMAP LBA COUNT").isGreaterThanOrEqualTo(2048);
        assertThat(limits.getInt(24)).as("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT").isGreaterThanOrEqualTo(2);
        int granularity = limits.getInt(28);
        assertThat(granularity == 0 || 2048 % granularity == 0).as("granularity " + granularity + " divides 1 MiB").isTrue();
        byte[] std = ok(h, 0, Cdb.inquiry(-1), 4096).data();
        assertThat(std[5] & 0x30).as("TPGS").isNotZero();
        ByteBuffer groups = ByteBuffer.wrap(ok(h, 0, Cdb.reportTargetPortGroups(), 1024).data());
        int length = groups.getInt(0);
        assertThat(length).as("one descriptor").isGreaterThanOrEqualTo(8 + 4);
        assertThat(groups.get(4) & 0x0F).as("active/optimized").isZero();
        assertThat(groups.get(4 + 7) & 0xFF).as("target port count").isGreaterThanOrEqualTo(1);
        assertThat(4 + 8 + 4 * (groups.get(4 + 7) & 0xFF)).as("exactly one group").isEqualTo(4 + length);
    }

    /** SCSI-2 RESERVE(6)/RELEASE(6) (SPC-2 §7.21, §7.17): the other host's write conflicts meanwhile. */
    private static void scsi2ReserveDuringMount(RawScsiSession host1, RawScsiSession host2) throws IOException {
        assertThat(host1.command(Cdb.reserve6(), null, 0).status()).isEqualTo(GOOD);
        assertThat(host2.command(Cdb.write16(64, 1), pattern(1, 7), 0).status()).isEqualTo(RESERVATION_CONFLICT);
        assertThat(host2.command(Cdb.inquiry(-1), null, 255).status()).as("INQUIRY allowed").isEqualTo(GOOD);
        assertThat(host1.command(Cdb.write16(64, 1), pattern(1, 8), 0).status()).isEqualTo(GOOD);
        assertThat(host1.command(Cdb.release6(), null, 0).status()).isEqualTo(GOOD);
        assertThat(host2.command(Cdb.write16(64, 1), pattern(1, 9), 0).status()).isEqualTo(GOOD);
    }

    /**
     * VMFS heartbeats over ATS for about five seconds: once a second each host COMPARE AND
     * WRITEs its own heartbeat slot (GOOD every time) and both race for one shared lock block
     * after reading the same value: exactly one wins, the other gets MISCOMPARE (e/1d/00).
     */
    private static void atsHeartbeats(RawScsiSession host1, RawScsiSession host2) throws Exception {
        long lock = 2000;
        RawScsiSession[] hosts = {host1, host2};
        byte[][] slots = {new byte[BLOCK], new byte[BLOCK]};
        int[] wins = new int[2];
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                long started = System.nanoTime();
                List<Future<Result>> lockResults = new ArrayList<>();
                for (int h = 0; h < 2; h++) {
                    int host = h;
                    int r = round;
                    lockResults.add(pool.submit(() -> {
                        RawScsiSession s = hosts[host];
                        byte[] beat = block(host, r);
                        Result hb = s.command(Cdb.compareAndWrite(lock + 1 + host, 1), concat(slots[host], beat), 0);
                        assertThat(hb.status()).as("heartbeat host %d round %d %s", host, r, hb.senseCode()).isEqualTo(GOOD);
                        slots[host] = beat;
                        byte[] seen = ok(s, 0, Cdb.read16(lock, 1), BLOCK).data();
                        barrier.await(10, TimeUnit.SECONDS);
                        return s.command(Cdb.compareAndWrite(lock, 1), concat(seen, block(10 + host, r)), 0);
                    }));
                }
                int winner = -1;
                for (int h = 0; h < 2; h++) {
                    Result r = lockResults.get(h).get(20, TimeUnit.SECONDS);
                    if (r.status() == GOOD) {
                        assertThat(winner).as("one winner in round " + round).isEqualTo(-1);
                        winner = h;
                    } else {
                        assertThat(r.status()).isEqualTo(CHECK_CONDITION);
                        assertThat(r.senseCode()).as("MISCOMPARE").isEqualTo("e/1d/00");
                    }
                }
                assertThat(winner).as("a winner in round " + round).isNotEqualTo(-1);
                wins[winner]++;
                assertThat(ok(host1, 0, Cdb.read16(lock, 1), BLOCK).data()).isEqualTo(block(10 + winner, round));
                Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - started) / 1_000_000));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wins[0] + wins[1]).isEqualTo(5);
        for (int h = 0; h < 2; h++) {
            assertThat(ok(host2, 0, Cdb.read16(lock + 1 + h, 1), BLOCK).data()).isEqualTo(block(h, 4));
        }
    }

    /** EXTENDED COPY(LID1) (SPC-4 §6.3) of 64 blocks from LUN 0 to LUN 1, as a VM clone does. */
    private static void xcopyClone(RawScsiSession h, byte[] naa0, byte[] naa1) throws IOException {
        int blocks = 64;
        long src = 8192;
        long dst = 16384;
        byte[] data = pattern(blocks, 0x3C);
        for (int i = 0; i < blocks; i += 8) {
            ok(h, 0, Cdb.write16(src + i, 8), Arrays.copyOfRange(data, i * BLOCK, (i + 8) * BLOCK));
        }
        ByteBuffer p = ByteBuffer.allocate(16 + 2 * 32 + 28);
        p.put((byte) 7).put((byte) 0).putShort((short) 64).putInt(0).putInt(28).putInt(0);
        for (byte[] naa : new byte[][] {naa0, naa1}) {
            // Identification descriptor target descriptor (SPC-4 §6.3.6.2): NAA, binary, LU association.
            p.put((byte) 0xE4).put((byte) 0).putShort((short) 0).put((byte) 1).put((byte) 3).put((byte) 0)
                    .put((byte) 8).put(naa).put(new byte[12]).putInt(BLOCK);
        }
        // Block device to block device segment descriptor (SPC-4 §6.3.7.5).
        p.put((byte) 0x02).put((byte) 0).putShort((short) 0x18).putShort((short) 0).putShort((short) 1)
                .putShort((short) 0).putShort((short) blocks).putLong(src).putLong(dst);
        ok(h, 0, Cdb.extendedCopy(p.capacity()), p.array());
        assertThat(ok(h, 1, Cdb.read16(dst, blocks), blocks * BLOCK).data()).as("clone on LUN 1").isEqualTo(data);
    }

    /** UNMAP (SBC-4 §5.30) in 2048-block (1 MiB) aligned descriptors, as VMFS space reclamation sends. */
    private static void unmapAtVmfsGranularity(RawScsiSession h) throws IOException {
        long base = 2048 * 10;
        for (long lba : new long[] {base, base + 2047, base + 2048, base + 4095}) {
            ok(h, 0, Cdb.write16(lba, 1), pattern(1, (int) lba));
        }
        byte[] list = Cdb.unmapList(new long[][] {{base, 2048}, {base + 2048, 2048}});
        ok(h, 0, Cdb.unmap(list.length), list);
        for (long lba : new long[] {base, base + 2047, base + 2048, base + 4095}) {
            assertThat(ok(h, 0, Cdb.read16(lba, 1), BLOCK).data()).as("LBA " + lba + " unmapped").isEqualTo(new byte[BLOCK]);
        }
    }

    static byte[] block(int owner, int round) {
        byte[] b = new byte[BLOCK];
        ByteBuffer.wrap(b).putInt(0x48424541).putInt(owner).putInt(round);   // "HBEA"
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

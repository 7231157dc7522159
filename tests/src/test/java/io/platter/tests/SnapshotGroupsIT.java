package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots across a resize and snapshot groups (issue 15 item 10), against a running daemon over
 * real sockets: a mapped LUN grown after a snapshot reverts to the snapshot's size, which the
 * initiator learns from CAPACITY DATA HAS CHANGED (SBC-4 §4.10) after the reset; a group snapshot
 * is recorded, listed, reverted all or nothing, and deleted in every member.
 */
@Timeout(300)
class SnapshotGroupsIT {

    private static final Duration QEMU = Duration.ofMinutes(2);
    private static final String IQN = PlatterProcess.IQN;
    private static final String OTHER = "iqn.2026-11.io.platter:other";
    private static final long MIB = 1 << 20;

    @Test
    void aMappedLunGrownAfterItsSnapshotRevertsToTheSnapshotsSizeAndData() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("snapshot-grow-revert", "4M")) {
            server.cliOk("volume", "create", "vol1", "--size", "16M", "--target", IQN, "--lun", "1");
            try (RawScsiSession s = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:grow-it", IQN)) {
                takeUnitAttentions(s, 1);
                assertThat(s.command(1, write10(0), pattern(0xA1), 0).status()).isZero();
                server.cliOk("snapshot", "create", "vol1", "small");

                server.cliOk("volume", "resize", "vol1", "--size", "32M");
                assertThat(takeUnitAttentions(s, 1)).containsExactly("6/2a/09");
                assertThat(readCapacity16(s, 1)).isEqualTo(32 * MIB / 512 - 1);
                assertThat(s.command(1, write10(0), pattern(0xB2), 0).status()).isZero();
                assertThat(s.command(1, write10(50_000), pattern(0xC3), 0).status()).isZero();

                assertThat(server.cliOk("snapshot", "revert", "vol1", "small", "--force")).contains("reverted");

                assertThat(takeUnitAttentions(s, 1)).as("the reset, then the capacity the revert changed")
                        .containsExactly("6/29/00", "6/2a/09");
                assertThat(readCapacity16(s, 1)).isEqualTo(16 * MIB / 512 - 1);
                assertThat(read10(s, 1, 0)).as("the snapshot's data").isEqualTo(pattern(0xA1));
                assertThat(s.command(1, read10cdb(50_000), null, 8192).senseCode()).as("past the reverted end")
                        .isEqualTo("5/21/00");
            }
            assertThat(server.cliOk("volume", "show", "vol1")).contains("16M");
            server.stop();
            Path image = server.dataDir().resolve("vol1.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "check", image));
            assertThat(Tools.runOk(QEMU, cmd("qemu-img", "snapshot", "-l", image))).contains("small");
            assertThat(Tools.runOk(QEMU, cmd("qemu-img", "info", image))).contains("(" + 16 * MIB + " bytes)");
            server.startAgain();
            assertThat(Tools.runOk(QEMU, cmd("iscsi-readcapacity16", server.url(1))))
                    .contains("RETURNED LOGICAL BLOCK ADDRESS:" + (16 * MIB / 512 - 1));
            assertThat(server.logText()).as("the configured LUN size followed the revert")
                    .doesNotContain("not the configured");
            server.assertNoInternalErrors();
        }
    }

    @Test
    void aGroupIsRecordedListedRevertedAllOrNothingAndDeleted() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("snapshot-groups", "4M")) {
            server.cliOk("target", "create", OTHER);
            server.cliOk("volume", "create", "db", "--size", "16M", "--target", IQN, "--lun", "1");
            server.cliOk("volume", "create", "log", "--size", "16M", "--target", OTHER, "--lun", "0");
            String db = server.url(1);
            String log = server.portalUrl() + "/" + OTHER + "/0";
            qemuIo(db, "write -P 0x11 0 1M");
            qemuIo(log, "write -P 0x22 0 1M");
            server.cliOk("snapshot", "create", "--group", "app", "db", "log", "g1");
            qemuIo(db, "write -P 0x33 0 1M");
            qemuIo(log, "write -P 0x44 0 1M");

            String all = server.cliOk("snapshot", "list", "--group");
            assertThat(all).contains("GROUP").contains("app").contains("g1").contains("db,log");
            assertThat(server.cliOk("snapshot", "list", "--group", "app")).contains("g1");
            Tools.result(server.cli("snapshot", "list", "--group", "nope"), "no snapshot group nope");
            assertThat(Files.readString(PlatterProcess.newestCatalogGeneration(server.dataDir()))).as("recorded in the catalog").contains("snapshot-groups:");
            Tools.result(server.cli("snapshot", "delete", "db", "g1"), "belongs to group app");

            // A member whose target has a session refuses the revert before any member changes.
            try (RawScsiSession s = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:group-it", OTHER)) {
                Tools.result(server.cli("snapshot", "revert", "--group", "app", "g1"), "nothing was reverted");
                assertThat(qemuIo(db, "read -P 0x33 0 1M")).as("db untouched").doesNotContain("Pattern verification failed");
            }
            assertThat(server.cliOk("snapshot", "revert", "--group", "app", "g1")).contains("db, log")
                    .contains("reverted");
            assertThat(qemuIo(db, "read -P 0x11 0 1M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(log, "read -P 0x22 0 1M")).doesNotContain("Pattern verification failed");

            assertThat(server.cliOk("snapshot", "delete", "--group", "app", "g1")).contains("deleted");
            assertThat(server.cliOk("snapshot", "list", "db")).doesNotContain("g1");
            assertThat(server.cliOk("snapshot", "list", "log")).doesNotContain("g1");
            Tools.result(server.cli("snapshot", "list", "--group", "app"), "no snapshot group app");

            // Deleting a member volume drops it from its groups.
            server.cliOk("snapshot", "create", "--group", "app", "db", "log", "g2");
            server.cliOk("volume", "delete", "log", "--force");
            List<String> rows = server.cliOk("snapshot", "list", "--group", "app").lines()
                    .filter(l -> l.startsWith("app")).toList();
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0)).contains("g2").contains("db").doesNotContain("log");
            server.stop();
            Path image = server.dataDir().resolve("db.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "check", image));
            assertThat(Tools.runOk(QEMU, cmd("qemu-img", "snapshot", "-l", image))).contains("g2").doesNotContain("g1");
            server.startAgain();
            assertThat(server.cliOk("snapshot", "list", "--group")).contains("g2");
            server.assertNoInternalErrors();
        }
    }

    private static String qemuIo(String url, String command) {
        return Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", command, url));
    }

    /** TEST UNIT READY on {@code lun} until GOOD; the sense codes of the unit attentions taken. */
    private static List<String> takeUnitAttentions(RawScsiSession s, int lun) throws IOException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RawScsiSession.Result r = s.command(lun, new byte[6], null, 0);
            if (r.status() == RawScsiSession.GOOD) {
                return taken;
            }
            taken.add(r.senseCode());
        }
        throw new AssertionError("LUN " + lun + " never became ready: " + taken);
    }

    /** READ CAPACITY (16) (SBC-4 §5.20): the last LBA. */
    private static long readCapacity16(RawScsiSession s, int lun) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        RawScsiSession.Result r = s.command(lun, cdb, null, 32);
        assertThat(r.status()).as("READ CAPACITY (16): %s", r.senseCode()).isZero();
        return ByteBuffer.wrap(r.data()).getLong(0);
    }

    private static byte[] pattern(int value) {
        byte[] b = new byte[8192];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** WRITE (10) (SBC-4 §5.35) of 16 blocks at {@code lba}. */
    private static byte[] write10(int lba) {
        byte[] cdb = read10cdb(lba);
        cdb[0] = 0x2A;
        return cdb;
    }

    /** READ (10) (SBC-4 §5.16) of 16 blocks at {@code lba}. */
    private static byte[] read10cdb(int lba) {
        return ByteBuffer.allocate(10).put(0, (byte) 0x28).putInt(2, lba).putShort(7, (short) 16).array();
    }

    private static byte[] read10(RawScsiSession s, int lun, int lba) throws IOException {
        RawScsiSession.Result r = s.command(lun, read10cdb(lba), null, 8192);
        assertThat(r.status()).as("READ (10): %s", r.senseCode()).isZero();
        return r.data();
    }
}

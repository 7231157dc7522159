package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The volume management CLI against a running daemon, with the data checked through iSCSI by
 * qemu-io and qemu-img: snapshot and revert, clones of a template, online growth seen by a
 * connected initiator, and nothing left behind by failed commands.
 */
@Timeout(300)
class VolumesIT {

    private static final Duration QEMU = Duration.ofMinutes(2);
    private static final String IQN = PlatterProcess.IQN;

    private static String url(PlatterProcess server, int lun) {
        return server.url(lun);
    }

    private static String qemuIo(String url, String command) {
        return Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", command, url));
    }

    @Test
    void snapshotRevertBringsBackPatternA() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-snapshot", "64M")) {
            assertThat(server.cliOk("volume", "create", "vol1", "--size", "64M", "--target", IQN, "--lun", "1"))
                    .contains("volume vol1 created").contains("LUN 1 of " + IQN);
            qemuIo(url(server, 1), "write -P 0xa1 0 1M");
            server.cliOk("snapshot", "create", "vol1", "before");
            qemuIo(url(server, 1), "write -P 0xb2 0 1M");
            assertThat(qemuIo(url(server, 1), "read -P 0xb2 0 1M")).doesNotContain("Pattern verification failed");

            server.cliOk("snapshot", "revert", "vol1", "before");

            assertThat(qemuIo(url(server, 1), "read -P 0xa1 0 1M")).doesNotContain("Pattern verification failed");
            assertThat(server.cliOk("snapshot", "list", "vol1")).contains("before");
            assertThat(server.cliOk("volume", "list")).contains("vol1").contains(IQN);
            server.stop();
            Tools.runOk(QEMU, cmd("qemu-img", "check", server.dataDir().resolve("vol1.qcow2")));
            assertThat(Tools.runOk(QEMU, cmd("qemu-img", "snapshot", "-l", server.dataDir().resolve("vol1.qcow2"))))
                    .contains("before");
            // The mapping was persisted: after a restart LUN 1 still reads pattern A.
            server.startAgain();
            assertThat(qemuIo(url(server, 1), "read -P 0xa1 0 1M")).doesNotContain("Pattern verification failed");
        }
    }

    /**
     * A forced revert under a logged-in initiator: refused without {@code --force}; with it, the
     * session's next command gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h), as
     * after a LOGICAL UNIT RESET (SAM-5 §7.7), and then reads the reverted data.
     */
    @Test
    void forcedRevertRaisesAResetUnitAttentionAndServesTheSnapshot() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-forced-revert", "64M")) {
            server.cliOk("volume", "create", "vol1", "--size", "64M", "--target", IQN, "--lun", "1");
            try (RawScsiSession s = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:revert-it", IQN)) {
                takeUnitAttentions(s, 1);
                assertThat(s.command(1, write10(0), pattern(0xA1), 0).status()).isZero();
                server.cliOk("snapshot", "create", "vol1", "before");
                assertThat(s.command(1, write10(0), pattern(0xB2), 0).status()).isZero();

                Tools.Result refused = server.cli("snapshot", "revert", "vol1", "before");
                assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
                assertThat(refused.output()).contains("--force");
                assertThat(read10(s, 0)).as("not reverted without --force").isEqualTo(pattern(0xB2));

                server.cliOk("snapshot", "revert", "vol1", "before", "--force");

                RawScsiSession.Result ua = s.command(1, read10cdb(0), null, 8192);
                assertThat(ua.status()).as("the first command after the revert").isEqualTo(RawScsiSession.CHECK_CONDITION);
                assertThat(ua.senseCode()).as("POWER ON, RESET, OR BUS DEVICE RESET OCCURRED").isEqualTo("6/29/00");
                takeUnitAttentions(s, 1);
                assertThat(read10(s, 0)).as("the snapshot's data").isEqualTo(pattern(0xA1));
            }
        }
    }

    private static void takeUnitAttentions(RawScsiSession s, int lun) throws IOException {
        for (int i = 0; i < 8; i++) {
            if (s.command(lun, new byte[6], null, 0).status() == RawScsiSession.GOOD) {
                return;
            }
        }
        throw new AssertionError("LUN " + lun + " never became ready");
    }

    private static byte[] pattern(int value) {
        byte[] b = new byte[8192];
        java.util.Arrays.fill(b, (byte) value);
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

    private static byte[] read10(RawScsiSession s, int lba) throws IOException {
        RawScsiSession.Result r = s.command(1, read10cdb(lba), null, 8192);
        assertThat(r.status()).as("READ (10): %s", r.senseCode()).isZero();
        return r.data();
    }

    @Test
    void twentyClonesOfATemplateReadItsData() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-clone", "64M")) {
            server.cliOk("volume", "create", "golden", "--size", "32M", "--target", IQN, "--lun", "1");
            qemuIo(url(server, 1), "write -P 0x5c 0 2M");
            server.cliOk("lun", "unmap", IQN, "1");
            for (int i = 0; i < 20; i++) {
                server.cliOk("clone", "golden", "c" + i, "--target", IQN, "--lun", String.valueOf(i + 1));
            }
            // The daemon's own time per clone (without the CLI's JVM start): milliseconds each.
            java.util.regex.Matcher ms = java.util.regex.Pattern.compile("cloned from golden in (\\d+) ms")
                    .matcher(server.logText());
            long total = 0;
            int clones = 0;
            while (ms.find()) {
                total += Long.parseLong(ms.group(1));
                clones++;
            }
            assertThat(clones).isEqualTo(20);
            assertThat(total).as("milliseconds the daemon spent on 20 clones").isLessThan(5000);
            for (int i = 0; i < 20; i++) {
                assertThat(qemuIo(url(server, i + 1), "read -P 0x5c 0 2M"))
                        .doesNotContain("Pattern verification failed");
            }
            // A clone writes to its own overlay; the template and the other clones are untouched.
            qemuIo(url(server, 1), "write -P 0x77 0 64k");
            assertThat(qemuIo(url(server, 2), "read -P 0x5c 0 64k")).doesNotContain("Pattern verification failed");
            Tools.Result refused = server.cli("volume", "delete", "golden");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("template of").hasLineCount(1);
            Tools.Result mapTemplate = server.cli("lun", "map", IQN, "golden");
            assertThat(mapTemplate.exitCode()).isEqualTo(1);
            assertThat(mapTemplate.output()).contains("read-only template");
            server.stop();
            for (int i = 0; i < 20; i++) {
                Tools.runOk(QEMU, cmd("qemu-img", "check", server.dataDir().resolve("c" + i + ".qcow2")));
            }
        }
    }

    @Test
    void growingUnderAConnectedSessionRaisesCapacityDataHasChanged() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-grow", "64M")) {
            server.cliOk("volume", "create", "big", "--size", "64M", "--target", IQN, "--lun", "1");
            try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 10_000)) {
                Initiator scsi = new Initiator(c, c.login("iqn.2026-11.io.platter:vol-it", IQN));
                scsi.clearUnitAttentions(1);
                assertThat(scsi.readCapacity16(1)).isEqualTo((64L << 20) / 512 - 1);

                assertThat(server.cliOk("volume", "resize", "big", "--size", "128M")).contains("128M");

                Response ua = scsi.command(1, new byte[6], 0);
                assertThat(ua.status()).as("CHECK CONDITION").isEqualTo(2);
                assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
                assertThat(ua.asc()).isEqualTo(0x2A);
                assertThat(ua.ascq()).as("CAPACITY DATA HAS CHANGED").isEqualTo(0x09);
                assertThat(scsi.readCapacity16(1)).isEqualTo((128L << 20) / 512 - 1);
            }
            String rc16 = Tools.runOk(QEMU, cmd("iscsi-readcapacity16", url(server, 1)));
            assertThat(rc16).contains("RETURNED LOGICAL BLOCK ADDRESS:" + ((128L << 20) / 512 - 1));
            Tools.Result shrink = server.cli("volume", "resize", "big", "--size", "32M");
            assertThat(shrink.exitCode()).isEqualTo(1);
            assertThat(shrink.output()).contains("--force");
        }
    }

    @Test
    void failedCommandsLeaveNothingBehind() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-failures", "64M")) {
            Path config = server.workDir().resolve("platter.yaml");
            String before = Files.readString(config);
            Tools.result(server.cli("volume", "create", "x", "--size", "16M", "--target", "iqn.2026-11.io.platter:nope"),
                    "no target");
            Tools.result(server.cli("volume", "create", "bad/name", "--size", "16M"), "bad volume name");
            Tools.result(server.cli("volume", "create", "y", "--size", "16M", "--format", "qcow2",
                    "--provisioning", "thick"), "always thin");
            Tools.result(server.cli("volume", "create", "z", "--size", "16M", "--target", IQN, "--lun", "0"),
                    "is taken");
            try (var files = Files.list(server.dataDir())) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.startsWith("x.") || n.startsWith("y.") || n.startsWith("z."));
            }
            assertThat(Files.readString(config)).isEqualTo(before);
            assertThat(server.cliOk("status")).contains("over-provisioning").contains("soft threshold: 80%");
        }
    }

    @Test
    void flattenAMappedCloneWhileReadingItThenDeleteTheTemplate() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-flatten", "64M")) {
            server.cliOk("volume", "create", "gold", "--size", "32M", "--target", IQN, "--lun", "1");
            qemuIo(url(server, 1), "write -P 0x3c 0 8M");
            server.cliOk("lun", "unmap", IQN, "1");
            server.cliOk("clone", "gold", "work", "--target", IQN, "--lun", "1");
            qemuIo(url(server, 1), "write -P 0x4d 4M 1M");
            Thread reader = new Thread(() -> {
                for (int i = 0; i < 5; i++) {
                    assertThat(qemuIo(url(server, 1), "read -P 0x3c 0 4M")).doesNotContain("Pattern verification failed");
                }
            });
            reader.start();
            assertThat(server.cliOk("volume", "flatten", "work")).contains("flattened");
            reader.join();
            assertThat(server.cliOk("volume", "show", "work")).doesNotContain("backing: gold");
            assertThat(server.cliOk("volume", "show", "gold")).contains("template: false");
            assertThat(server.cliOk("job", "list")).contains("flatten").contains("done");
            server.cliOk("volume", "delete", "gold");
            assertThat(server.dataDir().resolve("gold.qcow2")).doesNotExist();
            assertThat(qemuIo(url(server, 1), "read -P 0x3c 0 4M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 1), "read -P 0x4d 4M 1M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 1), "read -P 0x3c 5M 3M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 1), "read -P 0 8M 24M")).doesNotContain("Pattern verification failed");
            Tools.result(server.cli("volume", "flatten", "work"), "no backing file");
            server.stop();
            Tools.runOk(QEMU, cmd("qemu-img", "check", server.dataDir().resolve("work.qcow2")));
        }
    }

    @Test
    void importQemuImgImagesInPlaceAndCopied() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-import", "64M")) {
            Path outside = server.dataDir().resolve("incoming"); // images are imported from the data directory
            Files.createDirectories(outside);
            Path q = outside.resolve("made-by-qemu.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", q, "16M"));
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "qcow2", "-c", "write -P 0x61 1M 1M", q));
            Path config = server.workDir().resolve("platter.yaml");
            String before = Files.readString(config);
            Tools.result(server.cli("volume", "import", "bad", outside.resolve("missing.qcow2").toString(), "--format", "qcow2"),
                    "no image file");
            Tools.result(server.cli("volume", "import", "inplace", q.toString(), "--format", "qcow2", "--target", IQN,
                    "--lun", "0"), "is taken");
            assertThat(Files.readString(config)).isEqualTo(before);
            assertThat(outside.resolve("made-by-qemu.qcow2.id")).doesNotExist();

            assertThat(server.cliOk("volume", "import", "inplace", q.toString(), "--format", "qcow2", "--target", IQN,
                    "--lun", "1"))
                    .contains("imported").contains(q.toString());
            assertThat(qemuIo(url(server, 1), "read -P 0x61 1M 1M")).doesNotContain("Pattern verification failed");
            assertThat(server.cliOk("volume", "show", "inplace")).contains("image: " + q);

            Path r = outside.resolve("plain.raw");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "raw", r, "8M"));
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x62 0 64k", r));
            server.cliOk("volume", "import", "copied", r.toString(), "--format", "raw", "--copy", "--target", IQN,
                    "--lun", "2");
            assertThat(server.dataDir().resolve("copied.img")).exists();
            assertThat(qemuIo(url(server, 2), "read -P 0x62 0 64k")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 2), "read -P 0 64k 1M")).doesNotContain("Pattern verification failed");

            Path overlay = outside.resolve("overlay.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "nowhere.qcow2", "-F", "qcow2", "-u",
                    overlay, "16M"));
            Tools.result(server.cli("volume", "import", "orphan", overlay.toString(), "--format", "qcow2"), "does not exist");
            Path q2 = outside.resolve("second.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", q2, "16M"));
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "qcow2", "-c", "write -P 0x63 3M 512k", q2));
            server.cliOk("volume", "import", "qcopy", q2.toString(), "--format", "qcow2", "--copy", "--target", IQN,
                    "--lun", "3");
            assertThat(qemuIo(url(server, 3), "read -P 0x63 3M 512k")).doesNotContain("Pattern verification failed");
            assertThat(Files.size(server.dataDir().resolve("qcopy.qcow2"))).isEqualTo(Files.size(q2));
            server.stop();
            Tools.runOk(QEMU, cmd("qemu-img", "check", server.dataDir().resolve("qcopy.qcow2")));
            Tools.runOk(QEMU, cmd("qemu-img", "check", q));
        }
    }

    @Test
    void cloneFromASnapshotReadsTheSnapshotWhileTheSourceMovesOn() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-snapclone", "64M")) {
            server.cliOk("volume", "create", "src", "--size", "16M", "--target", IQN, "--lun", "1");
            qemuIo(url(server, 1), "write -P 0x71 0 2M");
            server.cliOk("snapshot", "create", "src", "s1");
            qemuIo(url(server, 1), "write -P 0x72 0 2M");
            assertThat(server.cliOk("clone", "src@s1", "c1", "--target", IQN, "--lun", "2")).contains("src--s1");
            server.cliOk("clone", "src@s1", "c2", "--target", IQN, "--lun", "3");
            assertThat(qemuIo(url(server, 2), "read -P 0x71 0 2M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 3), "read -P 0x71 0 2M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 1), "read -P 0x72 0 2M")).doesNotContain("Pattern verification failed");
            String list = server.cliOk("volume", "list");
            assertThat(list.lines().filter(l -> l.startsWith("src--s1"))).hasSize(1);
            Tools.result(server.cli("clone", "src@nope", "c3"), "no snapshot nope");
            assertThat(server.cliOk("volume", "list")).doesNotContain("src--nope").doesNotContain("c3");
            assertThat(server.dataDir().resolve("src--nope.qcow2")).doesNotExist();
            server.stop();
            Tools.runOk(QEMU, cmd("qemu-img", "check", server.dataDir().resolve("src--s1.qcow2")));
        }
    }

    @Test
    void groupSnapshotOfTwoVolumesThenRevertBoth() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("volumes-group", "64M")) {
            server.cliOk("volume", "create", "db", "--size", "16M", "--target", IQN, "--lun", "1");
            server.cliOk("volume", "create", "log", "--size", "16M", "--target", IQN, "--lun", "2");
            qemuIo(url(server, 1), "write -P 0x11 0 1M");
            qemuIo(url(server, 2), "write -P 0x22 0 1M");
            assertThat(server.cliOk("snapshot", "create", "--group", "app", "db", "log", "g1"))
                    .contains("group app").contains("paused");
            qemuIo(url(server, 1), "write -P 0x33 0 1M");
            qemuIo(url(server, 2), "write -P 0x44 0 1M");
            server.cliOk("snapshot", "create", "log", "taken");
            Tools.result(server.cli("snapshot", "create", "--group", "app", "db", "log", "taken"), "already has");
            assertThat(server.cliOk("snapshot", "list", "db")).doesNotContain("taken");
            server.cliOk("snapshot", "revert", "db", "g1");
            server.cliOk("snapshot", "revert", "log", "g1");
            assertThat(qemuIo(url(server, 1), "read -P 0x11 0 1M")).doesNotContain("Pattern verification failed");
            assertThat(qemuIo(url(server, 2), "read -P 0x22 0 1M")).doesNotContain("Pattern verification failed");
        }
    }

    /** One SCSI command's outcome: status and fixed-format sense (SPC-5 §4.4.3), if any. */
    private record Response(int status, byte[] sense, byte[] data) {
        int senseKey() {
            return sense.length > 2 ? sense[2] & 0x0F : -1;
        }

        int asc() {
            return sense.length > 12 ? sense[12] & 0xFF : -1;
        }

        int ascq() {
            return sense.length > 13 ? sense[13] & 0xFF : -1;
        }
    }

    /** Just enough of an iSCSI initiator for one command at a time (RFC 7143 §11.3, §11.4, §11.7). */
    private static final class Initiator {
        private final RawIscsiConnection c;
        private int cmdSn;
        private int expStatSn;
        private int itt = 1;

        Initiator(RawIscsiConnection c, RawIscsiConnection.Session s) {
            this.c = c;
            this.cmdSn = s.expCmdSn();
            this.expStatSn = s.statSn() + 1;
        }

        void clearUnitAttentions(int lun) throws IOException {
            for (int i = 0; i < 4; i++) {
                if (command(lun, new byte[6], 0).status() == 0) {
                    return;
                }
            }
            throw new AssertionError("LUN " + lun + " never became ready");
        }

        /** READ CAPACITY (16) (SBC-4 §5.20): the last LBA. */
        long readCapacity16(int lun) throws IOException {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x9E;
            cdb[1] = 0x10;
            cdb[13] = 32;
            Response r = command(lun, cdb, 32);
            assertThat(r.status()).as("READ CAPACITY (16) status").isZero();
            return ByteBuffer.wrap(r.data()).getLong(0);
        }

        Response command(int lun, byte[] cdb, int inLength) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
            b.put(0, (byte) 0x01);
            b.put(1, (byte) (0x80 | (inLength > 0 ? 0x40 : 0) | 0x01));
            b.put(9, (byte) lun);
            b.putInt(16, itt++);
            b.putInt(20, inLength);
            b.putInt(24, cmdSn++);
            b.putInt(28, expStatSn);
            b.put(32, cdb);
            c.send(new RawPdu(b.array(), new byte[0]));
            java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
            while (true) {
                RawPdu r = c.read().orElseThrow(() -> new AssertionError("target closed"));
                if (r.opcode() == 0x25) {
                    in.writeBytes(r.data());
                    if ((r.u8(1) & 0x01) != 0) {
                        expStatSn = r.int32(24) + 1;
                        return new Response(r.u8(3), new byte[0], in.toByteArray());
                    }
                } else if (r.opcode() == 0x21) {
                    expStatSn = r.int32(24) + 1;
                    byte[] d = r.data();
                    // The data segment of a SCSI Response with sense is SenseLength (2 bytes) then the sense (§11.4.7).
                    byte[] sense = d.length >= 2 ? java.util.Arrays.copyOfRange(d, 2, 2 + ((d[0] & 0xFF) << 8 | d[1] & 0xFF))
                            : new byte[0];
                    return new Response(r.u8(3), sense, in.toByteArray());
                } else if (r.opcode() != 0x20) {
                    throw new AssertionError("unexpected " + r);
                }
            }
        }
    }
}

package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's acceptance, played as an administrator's first week with one lab SAN (a target for
 * Linux hosts and one for Windows hosts, both with CHAP, and one for ESXi), over real processes,
 * the real CLI and real initiators (libiscsi's tools, raw iSCSI sessions, qemu-io):
 * <ol>
 *   <li>the quick start, volumes and targets made with the CLI, a restart: everything is still there,
 *       and the catalog holding the CHAP secrets is 0600;</li>
 *   <li>a second daemon on the same data directory is refused naming the first one's PID, and
 *       qemu-io cannot write a served image;</li>
 *   <li>unmapping a LUN a session is logged in to is refused without --force and names the session;</li>
 *   <li>five wrong CHAP logins to one target leave a correct login to another target working;</li>
 *   <li>a lost image: the daemon starts, the other LUNs serve, that LUN answers NOT READY 04h/03h,
 *       and putting the file back plus {@code platter reload} brings it back;</li>
 *   <li>the move to an operator's file: {@code config export} served with {@code serve --config} on
 *       a fresh data directory shows the same targets, and 20 CLI changes leave that commented file
 *       byte for byte as it was.</li>
 * </ol>
 */
@Timeout(900)
class AdminFirstWeekIT {

    private static final String LINUX = "iqn.2026-12.lab.san:linux";
    private static final String WINDOWS = "iqn.2026-12.lab.san:windows";
    private static final String ESXI = "iqn.2026-12.lab.san:esxi";
    private static final String HOST = "iqn.2026-12.lab.host:esx1";
    private static final String USER = "labadmin";
    private static final String LINUX_SECRET = "linux-secret-16b";
    private static final String WINDOWS_SECRET = "windows-secret16";
    private static final byte[] TUR = new byte[6];
    private static final Duration SERVE = Duration.ofMinutes(1);

    @Test
    void theFirstWeek() throws Exception {
        String targetsBefore;
        Path exported;
        Path oldData;
        try (PlatterProcess san = PlatterProcess.startWithoutConfig("AdminFirstWeekIT")) {
            // Day 1: the quick start, then the lab's volumes and targets through the CLI.
            assertThat(san.cliOk("target", "list")).contains("iqn.2026-11.io.platter:demo");
            san.cliOk("volume", "create", "db", "--size", "32M");
            san.cliOk("volume", "create", "win", "--size", "32M");
            san.cliOk("volume", "create", "ds1", "--size", "32M", "--format", "raw");
            san.cliOk("volume", "create", "ds2", "--size", "32M");
            san.cliOk("target", "create", LINUX, "--alias", "linux");
            san.cliOk("target", "create", WINDOWS, "--alias", "windows");
            san.cliOk("target", "create", ESXI, "--alias", "esxi");
            san.cliOk("chap", "set", LINUX, "--user", USER, "--secret", LINUX_SECRET);
            san.cliOk("chap", "set", WINDOWS, "--user", USER, "--secret", WINDOWS_SECRET);
            san.cliOk("lun", "map", LINUX, "db", "--lun", "0");
            san.cliOk("lun", "map", WINDOWS, "win", "--lun", "0");
            san.cliOk("lun", "map", ESXI, "ds1", "--lun", "0");
            san.cliOk("lun", "map", ESXI, "ds2", "--lun", "1");
            String lunsBefore = san.cliOk("lun", "list");

            san.restart();   // the same quick start again

            assertThat(san.cliOk("target", "list")).contains(LINUX, WINDOWS, ESXI);
            assertThat(san.cliOk("lun", "list")).as("every mapping is back").isEqualTo(lunsBefore);
            assertThat(san.cliOk("volume", "list")).contains("db", "win", "ds1", "ds2");
            assertThat(inq(san, LINUX, LINUX_SECRET).ok()).as("CHAP survived the restart").isTrue();
            Path catalog = PlatterProcess.newestCatalogGeneration(san.dataDir());
            assertThat(Files.readString(catalog)).as("the catalog holds the secrets").contains(LINUX_SECRET);
            assertThat(mode(catalog)).as("so only its owner may read it").isEqualTo("rw-------");
            assertThat(san.logText()).doesNotContain(LINUX_SECRET).doesNotContain(WINDOWS_SECRET);

            // Day 2: nobody else writes what Platter serves.
            Tools.Result second = PlatterProcess.main(SERVE, "serve", "--data-dir", san.dataDir().toString(),
                    "--portal", "127.0.0.1:" + PlatterProcess.freePort());
            assertThat(second.exitCode()).as(second.describe()).isEqualTo(3);
            assertThat(second.output()).contains("is served by platter PID " + san.pid());
            assertThat(san.cliOk("status")).as("the first daemon stays manageable").contains("portals:");
            Path db = image(san, "db");
            Tools.Result qemu = Tools.run("qemu-io", "-f", "qcow2", "-c", "write 0 512", db.toString());
            assertThat(qemu.ok()).as("qemu-io on a served image: %s", qemu.describe()).isFalse();
            assertThat(qemu.output()).contains("lock");

            // Day 3: a LUN in use is not pulled from under a host by accident.
            try (RawScsiSession esx = RawScsiSession.login(san.port(), HOST, ESXI)) {
                esx.takeUnitAttentions();
                Tools.Result unmap = san.cli("lun", "unmap", ESXI, "1");
                assertThat(unmap.ok()).as(unmap.describe()).isFalse();
                assertThat(unmap.output()).contains(HOST).contains("--force");
                assertThat(san.cliOk("lun", "list")).contains("ds2");
                san.cliOk("lun", "unmap", ESXI, "1", "--force");
                RawScsiSession.Result next = esx.command(0, TUR, null, 0);
                assertThat(next.senseCode()).as("the host is told").isEqualToIgnoringCase("6/3F/0E");
            }

            // Day 4: a typo in a CHAP secret on the Linux hosts does not lock out the Windows hosts.
            for (int i = 0; i < 5; i++) {
                assertThat(inq(san, LINUX, "wrong-secret-" + i).ok()).isFalse();
            }
            assertThat(inq(san, LINUX, LINUX_SECRET).ok()).as("blocked for a while").isFalse();
            Tools.Result windows = inq(san, WINDOWS, WINDOWS_SECRET);
            assertThat(windows.ok()).as("another target from the same address: %s", windows.describe()).isTrue();
            assertThat(san.cliOk("auth", "blocks")).contains(LINUX).doesNotContain(WINDOWS);
            san.cliOk("auth", "unblock", "--all");
            assertThat(inq(san, LINUX, LINUX_SECRET).ok()).as("cleared by the administrator").isTrue();

            // Day 5: an image file is lost; the rest of the SAN serves on.
            Path ds1 = image(san, "ds1");
            san.stop();
            Path away = san.workDir().resolve("ds1.away");
            Files.move(ds1, away);
            san.startAgain();
            assertThat(san.cliOk("status")).contains("offline");
            assertThat(inq(san, LINUX, LINUX_SECRET).ok()).as("the other targets serve").isTrue();
            assertThat(ds1).as("never re-created empty").doesNotExist();
            try (RawScsiSession esx = RawScsiSession.login(san.port(), HOST, ESXI)) {
                String sense = esx.command(0, TUR, null, 0).senseCode();
                if (sense.startsWith("6/")) {   // a new I_T nexus hears of the power on first
                    sense = esx.command(0, TUR, null, 0).senseCode();
                }
                assertThat(sense).as("NOT READY, MANUAL INTERVENTION REQUIRED").isEqualTo("2/04/03");
                Files.move(away, ds1);
                assertThat(san.cliOk("reload")).contains("online");
                esx.takeUnitAttentions();
                assertThat(esx.command(0, TUR, null, 0).status()).isEqualTo(RawScsiSession.GOOD);
            }

            // Day 6: the administrator moves to a file of their own.
            targetsBefore = san.cliOk("target", "list");
            exported = san.workDir().resolve("exported.yaml");
            san.cliOk("config", "export", "--include-secrets", "-o", exported.toString());
            assertThat(mode(exported)).isEqualTo("rw-------");
            oldData = san.dataDir();
            san.stop();
        }

        String exportedText = Files.readString(exported);
        String[] written = new String[1];
        try (PlatterProcess file = PlatterProcess.start("AdminFirstWeekIT-file", (port, fresh) -> {
            copyImages(oldData, fresh);
            written[0] = "# The lab SAN, hand-edited: keep these comments.\n"
                    + exportedText.replaceAll("(?m)^(\\s*data-dir:).*$", "$1 " + fresh)
                    .replaceAll("0\\.0\\.0\\.0:3260", "127.0.0.1:" + port);
            return written[0];
        })) {
            Path cfg = file.config();
            assertThat(file.cliOk("target", "list")).as("the export serves the same targets").isEqualTo(targetsBefore);
            for (int i = 0; i < 10; i++) {
                file.cliOk("volume", "create", "scratch" + i, "--size", "8M");
                file.cliOk("volume", "delete", "scratch" + i);
            }
            Tools.Result declared = file.cli("acl", "add", ESXI, HOST);
            assertThat(declared.ok()).as("declared in the file: %s", declared.describe()).isFalse();
            assertThat(declared.output()).contains("edit the file and run `platter reload`");
            assertThat(Files.readString(cfg)).as("20 changes later, byte for byte").isEqualTo(written[0]);
            file.assertNoInternalErrors();
        }
    }

    private static Tools.Result inq(PlatterProcess san, String target, String secret) {
        return Tools.run("iscsi-inq", "iscsi://" + USER + "%" + secret + "@" + san.portal() + "/" + target + "/0");
    }

    /** The image of {@code volume}, as {@code volume show --json} names it. */
    private static Path image(PlatterProcess san, String volume) {
        Matcher m = Pattern.compile("\"image\"\\s*:\\s*\"([^\"]+)\"").matcher(san.cliOk("volume", "show", volume, "--json"));
        assertThat(m.find()).isTrue();
        return Path.of(m.group(1));
    }

    private static void copyImages(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".platter")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}

package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One unopenable image no longer keeps the SAN down (issue 15, "a LUN whose image cannot be
 * opened"): before, a qcow2 overlay whose backing file was missing made the daemon exit 3. Now the
 * daemon starts, the other LUN serves I/O, the broken LUN answers NOT READY, LOGICAL UNIT NOT
 * READY, MANUAL INTERVENTION REQUIRED (02h 04h/03h, SPC-5 §4.4.5) with its identity in place,
 * {@code platter status} and the metric show it, and once the backing file is back
 * {@code platter reload} brings it online in place: same session, same serial and NAA, NOT READY
 * TO READY CHANGE, then its data. The identity it showed is the one persisted, so a later start
 * with the file broken again shows the same one.
 */
@Timeout(300)
class OfflineLunIT {

    private static final String INITIATOR = "iqn.2026-12.test:offline-lun";
    private static final Duration QEMU = Duration.ofMinutes(1);
    private static final byte[] TUR = new byte[6];
    private static final byte[] READ_10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};
    private static final byte[] READ_CAPACITY_10 = {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] READ_CAPACITY_16 = {(byte) 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
    private static final byte[] WRITE_10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    private static final byte[] SERIAL = {0x12, 1, (byte) 0x80, 0, (byte) 0xFF, 0};
    private static final byte[] NAA = {0x12, 1, (byte) 0x83, 0, (byte) 0xFF, 0};
    private static final byte[] REPORT_LUNS = {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    private static final String NOT_READY = "2/04/03";

    @Test
    void aMissingBackingFileLeavesTheRestServingAndReloadBringsTheLunBack() throws Exception {
        byte[] base = new byte[1 << 20];
        for (int i = 0; i < base.length; i++) {
            base[i] = (byte) (i * 7 + 3);
        }
        Path[] data = new Path[1];
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("OfflineLunIT", (port, dataDir) -> {
            data[0] = dataDir;
            makeOverlayWithoutItsBackingFile(dataDir, base);
            return PlatterProcess.targetYaml(port, dataDir, """
                          - id: 0
                            image: lun0.img
                            size: 16M
                            provisioning: thin
                          - id: 1
                            image: overlay.qcow2
                            format: qcow2
                          - id: 2
                            image: damaged.qcow2
                            format: qcow2
                    """);
        }, List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            Path backing = data[0].resolve("base.raw");
            Path away = data[0].resolve("base.raw.away");

            // The daemon is up, logs what to do, and the good LUN serves I/O.
            String log = server.logText();
            assertThat(log).containsPattern("ERROR .*LUN 1 of " + PlatterProcess.IQN.replace(".", "\\.")
                    + ": cannot open .*overlay\\.qcow2: .*base\\.raw.*fix the file and run `platter reload`");
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", "-c", "read -P 0x5a 0 64k",
                    server.url(0)));
            assertThat(Tools.runOk(QEMU, cmd("iscsi-readcapacity16", server.url(0))))
                    .contains("Total size:" + (16 << 20));

            String serial;
            byte[] naa;
            try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                s.takeUnitAttentions();
                assertThat(s.command(1, TUR, null, 0).senseCode()).as("a new nexus first").isEqualTo("6/29/00");
                for (byte[] cdb : List.of(TUR, READ_10, READ_CAPACITY_10, READ_CAPACITY_16)) {
                    RawScsiSession.Result r = s.command(1, cdb, null, 4096);
                    assertThat(r.status()).isEqualTo(RawScsiSession.CHECK_CONDITION);
                    assertThat(r.senseCode()).as("opcode %02Xh", cdb[0]).isEqualTo(NOT_READY);
                }
                RawScsiSession.Result write = s.command(1, WRITE_10, new byte[512], 0);
                assertThat(write.senseCode()).isEqualTo(NOT_READY);
                byte[] luns = s.command(0, REPORT_LUNS, null, 256).data();
                assertThat(luns[3]).as("three LUNs reported").isEqualTo((byte) 24);
                assertThat(luns[17]).isEqualTo((byte) 1);
                assertThat(luns[25]).isEqualTo((byte) 2);
                assertThat(s.command(2, TUR, null, 0).senseCode()).isEqualTo("6/29/00");
                assertThat(s.command(2, READ_10, null, 4096).senseCode()).as("damaged header").isEqualTo(NOT_READY);
                serial = serial(s.command(1, SERIAL, null, 255));
                naa = s.command(1, NAA, null, 255).data();
                assertThat(serial).hasSize(32);
                assertThat(Files.exists(data[0].resolve("overlay.qcow2.id"))).as("no identity invented yet").isFalse();

                String status = server.cliOk("status");
                assertThat(status).contains("offline:     2 LUN(s)").contains("LUN 1 of " + PlatterProcess.IQN)
                        .contains("base.raw").contains("LUN 2 of " + PlatterProcess.IQN + ": cannot open ");
                assertThat(server.cliOk("target", "list", "--json"))
                        .containsPattern("\"state\"\\s*:\\s*\"offline\"[^}]*\"offlineReason\"\\s*:\\s*\"cannot open [^\"]*overlay")
                        .containsPattern("\"lun\"\\s*:\\s*0,[^}]*\"state\"\\s*:\\s*\"online\"");
                assertThat(scrape(metricsPort)).containsPattern("platter_lun_offline\\{lun=\"1\",target=\"" + PlatterProcess.IQN.replace(".", "\\.")
                        + "\",volume=\"[^\"]+\"\\} 1").containsPattern("platter_lun_offline\\{lun=\"0\",target=\"" + PlatterProcess.IQN.replace(".", "\\.")
                        + "\",volume=\"[^\"]+\"\\} 0");

                // Still broken: reload says so and changes nothing.
                assertThat(server.cliOk("reload")).contains("LUN 1 of " + PlatterProcess.IQN + " is still offline");
                assertThat(s.command(1, TUR, null, 0).senseCode()).isEqualTo(NOT_READY);

                // The operator puts the backing file back and reloads: the same session sees the LUN come back.
                Files.move(away, backing);
                assertThat(server.cliOk("reload")).contains("LUN 1 of " + PlatterProcess.IQN + " is online again")
                        .contains("LUN 2 of " + PlatterProcess.IQN + " is still offline");
                assertThat(s.command(1, TUR, null, 0).senseCode()).as("NOT READY TO READY CHANGE").isEqualTo("6/28/00");
                assertThat(s.command(1, TUR, null, 0).status()).isEqualTo(RawScsiSession.GOOD);
                RawScsiSession.Result capacity = s.command(1, READ_CAPACITY_10, null, 8);
                assertThat(capacity.status()).isEqualTo(RawScsiSession.GOOD);
                assertThat(java.nio.ByteBuffer.wrap(capacity.data()).getInt(0)).isEqualTo((1 << 20) / 512 - 1);
                RawScsiSession.Result read = s.command(1, READ_10, null, 4096);
                assertThat(read.status()).as(read.senseCode()).isEqualTo(RawScsiSession.GOOD);
                assertThat(read.data()).isEqualTo(Arrays.copyOf(base, 4096));
                assertThat(serial(s.command(1, SERIAL, null, 255))).isEqualTo(serial);
                assertThat(s.command(1, NAA, null, 255).data()).isEqualTo(naa);
            }
            assertThat(Files.readString(data[0].resolve("overlay.qcow2.id"))).as("the identity shown is persisted")
                    .contains(uuidOf(serial));
            assertThat(server.cliOk("status")).contains("offline:     1 LUN(s)").doesNotContain("LUN 1 of");
            assertThat(scrape(metricsPort)).containsPattern("platter_lun_offline\\{lun=\"1\",target=\"" + PlatterProcess.IQN.replace(".", "\\.")
                        + "\",volume=\"[^\"]+\"\\} 0");
            server.assertNoInternalErrors();

            // Broken again at the next start: offline with the identity persisted beside the image.
            server.stop();
            Files.move(backing, away);
            server.startAgain();
            try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                s.takeUnitAttentions();
                s.command(1, TUR, null, 0);
                assertThat(s.command(1, TUR, null, 0).senseCode()).isEqualTo(NOT_READY);
                assertThat(serial(s.command(1, SERIAL, null, 255))).isEqualTo(serial);
            }
            server.assertNoInternalErrors();
        }
    }

    /** {@code base.raw} and a qcow2 overlay of it made by qemu-img, then the base moved away; a damaged qcow2 header. */
    private static void makeOverlayWithoutItsBackingFile(Path dataDir, byte[] base) {
        try {
            Files.createDirectories(dataDir);
            Files.write(dataDir.resolve("base.raw"), base);
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
                    dataDir.resolve("overlay.qcow2")));
            Files.move(dataDir.resolve("base.raw"), dataDir.resolve("base.raw.away"));
            byte[] damaged = Arrays.copyOf("QFI\u00fb not really".getBytes(StandardCharsets.ISO_8859_1), 65536);
            Files.write(dataDir.resolve("damaged.qcow2"), damaged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serial(RawScsiSession.Result vpd80) {
        assertThat(vpd80.status()).as(vpd80.senseCode()).isEqualTo(RawScsiSession.GOOD);
        byte[] d = vpd80.data();
        return new String(d, 4, d[3] & 0xff, StandardCharsets.US_ASCII).strip();
    }

    private static String uuidOf(String serial) {
        return serial.substring(0, 8) + "-" + serial.substring(8, 12) + "-" + serial.substring(12, 16) + "-"
                + serial.substring(16, 20) + "-" + serial.substring(20);
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

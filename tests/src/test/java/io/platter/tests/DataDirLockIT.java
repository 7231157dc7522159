package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, item 1, over real processes: a second daemon on the same data directory opened the
 * same images read-write and, on its way out, deleted the first one's {@code .platter-api} and
 * token, leaving it unmanageable; and {@code qemu-io} could write an image while it was served.
 * Now the second daemon is refused (exit 3) naming the first one's PID, the first stays
 * manageable, and QEMU's tools are kept out of the served image by its OFD image locks.
 */
@Timeout(300)
class DataDirLockIT {

    @Test
    void aSecondDaemonOnTheSameDataDirIsRefusedAndTheFirstStaysManageable() throws Exception {
        try (PlatterProcess first = PlatterProcess.start("DataDirLockIT-second", "16M", "qcow2")) {
            Path api = first.dataDir().resolve(".platter-api");
            Path token = first.dataDir().resolve(".platter-token");
            awaitFile(api); // published once the API listens, just after the portals
            String apiBefore = Files.readString(api);
            String tokenBefore = Files.readString(token);

            Tools.Result second = secondDaemon(first);

            assertThat(second.timedOut()).as("the second daemon must not start serving: %s", second.describe())
                    .isFalse();
            assertThat(second.exitCode()).as(second.describe()).isEqualTo(3);
            assertThat(second.output()).as(second.describe())
                    .contains("data directory " + first.dataDir() + " is served by platter PID " + first.pid());
            assertThat(second.output()).as("refused before it opened any image").doesNotContain("LUN 0:");

            assertThat(first.isAlive()).isTrue();
            assertThat(Files.readString(api)).as("the first daemon's API file is still its own").isEqualTo(apiBefore);
            assertThat(Files.readString(token)).isEqualTo(tokenBefore);
            assertThat(first.cliOk("status")).as("the first daemon is still manageable").isNotBlank();
            first.assertNoInternalErrors();
        }
    }

    @Test
    void qemuToolsCannotWriteAServedImageAndReadOnlyWithForceShare() throws Exception {
        try (PlatterProcess p = PlatterProcess.start("DataDirLockIT-qemu", "16M", "qcow2")) {
            String image = p.image().toString();
            Tools.Result write = Tools.run("qemu-io", "-f", "qcow2", "-c", "write 0 512", image);
            assertThat(write.ok()).as("qemu-io write on a served image: %s", write.describe()).isFalse();
            assertThat(write.output()).contains("Failed to get").contains("lock");

            Tools.Result info = Tools.run("qemu-img", "info", "-f", "qcow2", image);
            assertThat(info.ok()).as("qemu-img info without -U: %s", info.describe()).isFalse();
            assertThat(info.output()).contains("Failed to get").contains("lock");

            Tools.Result shared = Tools.run("qemu-img", "info", "-U", "-f", "qcow2", image);
            assertThat(shared.ok()).as("qemu-img info -U: %s", shared.describe()).isTrue();
            assertThat(shared.output()).contains("virtual size: 16 MiB");

            Tools.Result check = Tools.run(Duration.ofMinutes(1), platter("image", "check", image));
            assertThat(check.ok()).as("platter image check of a served image: %s", check.describe()).isFalse();
            assertThat(check.output()).contains("in use by another process (QEMU or a second Platter)");
            p.assertNoInternalErrors();
        }
    }

    @Test
    void theDaemonRefusesToServeAnImageQemuHoldsAndServesItOnceQemuLetGo() throws Exception {
        try (PlatterProcess p = PlatterProcess.start("DataDirLockIT-held", "16M", "qcow2")) {
            p.cliOk("volume", "create", "guest", "--size", "16M", "--format", "qcow2");
            Path image = p.dataDir().resolve("guest.qcow2");
            Process qemu = new ProcessBuilder("qemu-io", "-f", "qcow2", image.toString())
                    .redirectErrorStream(true).start();
            try {
                qemu.getOutputStream().write("read 0 512\n".getBytes(StandardCharsets.US_ASCII));
                qemu.getOutputStream().flush();
                BufferedReader out = new BufferedReader(new InputStreamReader(qemu.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = out.readLine();
                while (line != null && !line.contains("read 512/512 bytes")) {
                    line = out.readLine();
                }
                assertThat(line).as("qemu-io holds the image open").isNotNull();

                Tools.Result map = p.cli("lun", "map", PlatterProcess.IQN, "guest", "--lun", "1");
                assertThat(map.ok()).as(map.describe()).isFalse();
                assertThat(map.output()).contains(image.toString())
                        .contains("in use by another process (QEMU or a second Platter)");
            } finally {
                qemu.getOutputStream().write("quit\n".getBytes(StandardCharsets.US_ASCII));
                qemu.getOutputStream().close();
                qemu.waitFor();
            }
            p.cliOk("lun", "map", PlatterProcess.IQN, "guest", "--lun", "1"); // QEMU gone: the lock went with it
            p.assertNoInternalErrors();
        }
    }

    /** {@code platter serve} again with the first one's config and data directory, on another portal. */
    private static Tools.Result secondDaemon(PlatterProcess first) throws Exception {
        return Tools.run(Duration.ofSeconds(60), platter("serve",
                "--config", first.workDir().resolve("platter.yaml").toString(),
                "--data-dir", first.dataDir().toString(),
                "--portal", "127.0.0.1:" + PlatterProcess.freePort()));
    }

    /** The {@code platter} command line with {@code args}, on the test's class path. */
    private static List<String> platter(String... args) {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "io.platter.server.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 600 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).exists();
    }
}

package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21, finding 14, end to end: {@code platter serve --config} with a FIFO used to hang (the
 * migration and the loader read the whole file first), with /dev/zero to die of OutOfMemoryError.
 * Each bad path must now end the daemon at once with exit code 2 (invalid configuration) and a
 * message naming the path and the reason.
 */
@Timeout(300)
class ConfigFileLimitsIT {

    @Test
    void serveRefusesAFifoADeviceAndAnOversizedFileAtOnce() throws Exception {
        Path dir = PlatterProcess.moduleDir().resolve("target/it/ConfigFileLimitsIT");
        Tools.runOk("rm", "-rf", dir.toString());
        Files.createDirectories(dir);
        Path fifo = dir.resolve("fifo.yaml");
        Tools.runOk("mkfifo", fifo.toString());
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "version: 1\n# " + "x".repeat(2 * 1024 * 1024) + "\n");

        assertRefused(serve(dir, fifo), fifo, "not a regular file");
        assertRefused(serve(dir, Path.of("/dev/zero")), Path.of("/dev/zero"), "not a regular file");
        assertRefused(serve(dir, big), big, "at most 1048576 bytes");
    }

    private static void assertRefused(Tools.Result r, Path file, String why) {
        assertThat(r.timedOut()).as("hung: " + r.describe()).isFalse();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.output()).as(r.describe()).contains(file.toString()).contains(why)
                .doesNotContain("OutOfMemoryError");
    }

    private static Tools.Result serve(Path dir, Path config) throws Exception {
        String cp = System.getProperty("surefire.test.class.path");
        List<String> c = cmd(Path.of(System.getProperty("java.home"), "bin", "java"), "-Xmx256m", "-cp",
                cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path"), "io.platter.server.Main",
                "serve", "--config", config, "--data-dir", dir.resolve("data"),
                "--portal", "127.0.0.1:" + PlatterProcess.freePort());
        return Tools.run(Duration.ofSeconds(60), c);
    }
}

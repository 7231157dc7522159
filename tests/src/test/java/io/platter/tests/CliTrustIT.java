package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21, finding 10: the CLI believed {@code ./platter-data/.platter-api} in the current
 * directory. Another local user (nobody) plants one pointing at its own listener, with a token
 * file beside it; root then runs {@code platter chap set} in that directory. The CLI must refuse
 * with one line naming the file, and the planted listener must receive nothing (before the fix it
 * received the token and the CHAP secret).
 */
@Timeout(120)
class CliTrustIT {

    private static final String SECRET = "planted-listener-must-not-see-16";

    @Test
    void aPlantedEndpointOfAnotherUserIsRefusedAndNothingIsSent() throws Exception {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as("the attacker is user nobody; run as root (CI does)").isZero();
        assertThat(Path.of("/etc/platter/platter.yaml")).as("premise: the CLI falls back to ./platter-data")
                .doesNotExist();
        assertThat(Path.of("/var/lib/platter/.platter-api")).doesNotExist();

        // A shared, world-writable directory (like /tmp) where root happens to run the CLI.
        Path shared = Files.createTempDirectory("platter-cli-trust");
        Tools.runOk("chmod", "1777", shared.toString());
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> accept(listener));
            String plant = "mkdir platter-data && cd platter-data"
                    + " && printf 'http://127.0.0.1:" + listener.getLocalPort() + "/\\n' > .platter-api"
                    + " && printf 'attacker-token\\n' > .platter-token && chmod 600 .platter-api .platter-token";
            Tools.runOk(Tools.DEFAULT_TIMEOUT, cmd("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "sh", "-c", "cd \"$0\" && " + plant, shared));

            Tools.Result r = Tools.run(Duration.ofMinutes(1), cli(shared, "chap", "set",
                    "iqn.2026-11.io.platter:t", "--user", "u", "--secret", SECRET));

            assertThat(r.ok()).as(r.describe()).isFalse();
            String out = r.output().strip();
            assertThat(out.lines()).as(r.describe()).hasSize(1);
            assertThat(out).startsWith("platter: refusing ").contains(".platter-api").contains("owned by uid 65534")
                    .doesNotContain(SECRET);
            listener.close();
            assertThat(received.get()).as("bytes the planted listener received").isEmpty();
        } finally {
            Tools.runOk("rm", "-rf", shared.toString());
        }
    }

    /** Everything one connection sends within a few seconds (nothing when none comes). */
    private static byte[] accept(ServerSocket listener) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            listener.setSoTimeout(30_000);
            try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                s.setSoTimeout(3_000);
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            }
        } catch (SocketTimeoutException e) {
            // the CLI stopped sending (or never connected)
        } catch (IOException e) {
            // closed by the test: no connection came
        }
        return got.toByteArray();
    }

    /** The CLI, run in {@code dir} (so ./platter-data is the planted one) as root. */
    private static List<String> cli(Path dir, String... args) {
        String cp = System.getProperty("surefire.test.class.path");
        List<String> c = cmd("sh", "-c", "cd \"$0\" && exec \"$@\"", dir,
                Path.of(System.getProperty("java.home"), "bin", "java"), "-cp",
                cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path"), "io.platter.server.Main");
        c.addAll(List.of(args));
        return c;
    }
}

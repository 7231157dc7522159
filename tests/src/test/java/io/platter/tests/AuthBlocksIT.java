package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 item 7: five wrong CHAP logins to one target block that (address, target, user) only:
 * a correct login to another target from the same address works at once, even under the same
 * CHAP user name. The block shows in {@code platter auth blocks}, {@code platter auth unblock}
 * lets the correct login in at once, failures are logged at WARN with target and address (never
 * a secret) and counted per target in {@code platter_login_failures_total}. libiscsi's iscsi-inq
 * over real sockets, all from 127.0.0.1.
 */
@Timeout(300)
class AuthBlocksIT {
    static final String A = "iqn.2026-12.io.platter:chap-a";
    static final String B = "iqn.2026-12.io.platter:chap-b";
    static final String USER = "alice";
    static final String SECRET_A = "secret-of-a-16by";
    static final String SECRET_B = "secret-of-b-16by";

    private static Tools.Result inq(PlatterProcess server, String target, String secret) {
        return Tools.run("iscsi-inq", "iscsi://" + USER + "%" + secret + "@" + server.portal() + "/" + target + "/0");
    }

    @Test
    void aLockOutOnOneTargetLeavesTheOthersOpenAndIsVisibleAndClearable() throws Exception {
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("AuthBlocksIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    chap: {user: %s, secret: "%s"}
                    luns:
                      - {id: 0, image: a.img, size: 16M}
                  - iqn: %s
                    chap: {user: %s, secret: "%s"}
                    luns:
                      - {id: 0, image: b.img, size: 16M}
                """.formatted(port, dataDir.toAbsolutePath(), A, USER, SECRET_A, B, USER, SECRET_B),
                List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            String metricsUrl = "http://127.0.0.1:" + metricsPort + "/metrics";
            String fresh = scrape(metricsUrl);
            assertThat(failures(fresh, A, "wrong_secret")).as("present at 0 from the start, per target").isZero();
            assertThat(failures(fresh, B, "blocked")).isZero();
            assertThat(failures(fresh, "other", "unknown_target")).isZero();
            assertThat(server.cliOk("auth", "blocks")).contains("no login blocks");

            for (int i = 0; i < 5; i++) {
                Tools.Result wrong = inq(server, A, "wrong-guess-00" + i);
                assertThat(wrong.ok()).as(wrong.describe()).isFalse();
            }
            Tools.Result blocked = inq(server, A, SECRET_A);
            assertThat(blocked.ok()).as("the right secret is refused while blocked: " + blocked.describe()).isFalse();

            Tools.Result other = inq(server, B, SECRET_B);
            assertThat(other.ok()).as("a correct login to another target from the same address: "
                    + other.describe()).isTrue();
            assertThat(other.output()).contains("DIRECT_ACCESS");

            String blocks = server.cliOk("auth", "blocks");
            assertThat(blocks).as(blocks).contains("ADDRESS", "TARGET", "USER", "FAILURES", "BLOCKED UNTIL")
                    .containsPattern("127\\.0\\.0\\.1\\s+" + A.replace(".", "\\.") + "\\s+" + USER + "\\s+5\\s+"
                            + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-Z]")
                    .doesNotContain(B);

            Tools.Result unblock = server.cli("auth", "unblock", "--address", "127.0.0.1", "--target", A);
            assertThat(unblock.ok()).as(unblock.describe()).isTrue();
            assertThat(unblock.output()).contains("lifted 1 block(s)");
            Tools.Result again = inq(server, A, SECRET_A);
            assertThat(again.ok()).as("let in at once after unblock: " + again.describe()).isTrue();
            assertThat(server.cliOk("auth", "blocks")).contains("no login blocks");
            Tools.Result neither = server.cli("auth", "unblock");
            assertThat(neither.ok()).as(neither.describe()).isFalse();

            String after = scrape(metricsUrl);
            assertThat(failures(after, A, "wrong_secret")).isEqualTo(5);
            assertThat(failures(after, A, "blocked")).isEqualTo(1);
            assertThat(failures(after, B, "wrong_secret")).isZero();
            String log = Files.readString(server.log(), StandardCharsets.ISO_8859_1);
            assertThat(log).containsPattern("WARN .*login failed: .* from 127\\.0\\.0\\.1 to " + A.replace(".", "\\.")
                    + ": AUTHENTICATION_FAILURE \\(wrong_secret")
                    .doesNotContain(SECRET_A, SECRET_B, "wrong-guess-00");
            server.assertNoInternalErrors();
        }
    }

    /** The sample of platter_login_failures_total for {@code target} and {@code reason}; fails when absent. */
    private static double failures(String scrape, String target, String reason) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith("platter_login_failures_total{") && line.contains("target=\"" + target + "\"")
                    && line.contains("reason=\"" + reason + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no platter_login_failures_total for " + target + ", " + reason + " in\n" + scrape);
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 "Package and metrics": a running daemon's threads say what they are
 * ({@code platter-iscsi-1}, not Netty's {@code multiThreadIoEventLoopGroup-3-1} or an executor's
 * {@code pool-2-thread-1}), and no ANSI escape reaches its log even when an initiator sends one:
 * the daemon serves I/O, metrics and a hostile login (an InitiatorName carrying an ESC colour
 * sequence), then {@code jstack} lists its threads and the log is searched for the ESC byte
 * (how a value is escaped is {@code LogPatternTest}'s subject).
 */
@Timeout(300)
class ThreadNamesAndLogIT {

    private static final Pattern THREAD = Pattern.compile("(?m)^\"([^\"]+)\"");
    /** Default names of Netty event loop groups, JDK executors, bare threads and the JDK HTTP server. */
    private static final Pattern ANONYMOUS = Pattern.compile(
            "(?i)nioEventLoopGroup-.*|epollEventLoopGroup-.*|multiThreadIoEventLoopGroup-.*|defaultEventLoop.*"
                    + "|pool-\\d+-thread-\\d+|Thread-\\d+|HTTP-Dispatcher|idle-timeout-task|req-rsp-timeout-task");

    @Test
    void threadsAreNamedAndTheLogHasNoEscapeByte() throws Exception {
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("ThreadNamesAndLogIT", "16M",
                List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            // Block I/O (a write goes to the I/O executor) and a scrape (a metrics worker).
            String io = Tools.runOk(Tools.DEFAULT_TIMEOUT, Tools.cmd("qemu-io", "-f", "raw", "-c",
                    "write -P 0x5a 0 64k", "-c", "read -P 0x5a 0 64k", server.url()));
            assertThat(io).doesNotContain("failed");
            Tools.runOk("curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:" + metricsPort + "/metrics");
            // A hostile InitiatorName with an ANSI colour escape: refused, and logged.
            String evil = "iqn.2026-11.evil:\u001b[31mred\u001b[0m";
            Tools.run("iscsi-ls", "-i", evil, "iscsi://127.0.0.1:" + server.port());
            server.cliOk("status");

            String dump = Tools.runOk("jstack", Long.toString(server.pid()));
            Matcher m = THREAD.matcher(dump);
            List<String> names = new java.util.ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            assertThat(names).as(dump).contains("platter-iscsi-boss-1", "platter-iscsi-1", "platter-io-1",
                    "platter-metrics-1", "platter-metrics-http-dispatcher", "platter-api-1",
                    "platter-api-http-dispatcher");
            assertThat(names).as("threads with a default name").noneMatch(n -> ANONYMOUS.matcher(n).matches());

            byte[] log = Files.readAllBytes(server.log());
            String text = new String(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).as("the hostile login was refused and logged").contains("malformed InitiatorName");
            for (int i = 0; i < log.length; i++) {
                assertThat(log[i]).as("byte %d of the log is ESC:%n%s", i, server.logText()).isNotEqualTo((byte) 0x1b);
            }
            server.assertNoInternalErrors();
        }
    }
}

package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus exporter (docs/metrics.md): scraped before and after a qemu-io workload of known
 * size, the per-LUN counters, bytes and histogram counts move by exactly that workload, sessions
 * go up and back down, and a login to an unknown target counts as a failure with its reason.
 */
@Timeout(300)
class MetricsIT {

    private static final int WRITES = 10;
    private static final int READS = 6;
    private static final int IO = 64 * 1024;
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void countersMoveByTheWorkload() throws Exception {
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("MetricsIT", "64M",
                List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            String url = "http://127.0.0.1:" + metricsPort + "/metrics";
            String t = PlatterProcess.IQN;
            // qemu reads a little of the LUN when it opens it: one session that only opens gives that baseline.
            Map<String, Double> start = scrape(url);
            Tools.runOk("qemu-io", "-f", "raw", "-c", "flush", server.url());
            Map<String, Double> before = scrape(url);

            List<String> io = cmd("qemu-io", "-f", "raw");
            for (int i = 0; i < WRITES; i++) {
                io.addAll(List.of("-c", "write -P 0x5a " + i * IO + " 64k"));
            }
            for (int i = 0; i < READS; i++) {
                io.addAll(List.of("-c", "read -P 0x5a " + i * IO + " 64k"));
            }
            io.add(server.url());
            String out = Tools.runOk(Tools.DEFAULT_TIMEOUT, io);
            assertThat(out).as(out).doesNotContain("failed");
            Tools.run("iscsi-inq", server.portalUrl() + "/iqn.2026-11.io.platter:nosuchtarget/0");

            Map<String, Double> after = scrape(url);
            // A LUN declared with an image only is labelled with the image's path in the data directory.
            String write = "{lun=\"0\",op=\"write\",target=\"" + t + "\",volume=\"lun0.img\"}";
            String read = "{lun=\"0\",op=\"read\",target=\"" + t + "\",volume=\"lun0.img\"}";
            assertThat(delta(before, after, "platter_scsi_commands_total" + write)).isEqualTo(WRITES);
            assertThat(delta(before, after, "platter_scsi_bytes_total" + write)).isEqualTo(WRITES * IO);
            assertThat(delta(before, after, "platter_scsi_command_duration_seconds_count" + write)).isEqualTo(WRITES);
            assertThat(delta(before, after, "platter_scsi_commands_total" + read)
                    - delta(start, before, "platter_scsi_commands_total" + read)).isEqualTo(READS);
            assertThat(delta(before, after, "platter_scsi_bytes_total" + read)
                    - delta(start, before, "platter_scsi_bytes_total" + read)).isEqualTo(READS * IO);
            assertThat(delta(before, after, "platter_scsi_commands_total{lun=\"0\",op=\"other\",target=\"" + t
                    + "\",volume=\"lun0.img\"}")).as("INQUIRY, READ CAPACITY, ... of qemu's open").isPositive();
            assertThat(after.get("platter_scsi_commands_in_flight{lun=\"0\",target=\"" + t
                    + "\",volume=\"lun0.img\"}")).isZero();
            assertThat(delta(before, after, "platter_iscsi_logins_total{target=\"" + t + "\"}")).isEqualTo(1);
            assertThat(after.get("platter_iscsi_sessions{target=\"" + t + "\"}")).as("after logout").isZero();
            assertThat(delta(before, after, "platter_iscsi_login_failures_total{reason=\"not_found\"}"))
                    .isEqualTo(1);
            assertThat(delta(before, after, "platter_iscsi_connections_accepted_total")).isGreaterThanOrEqualTo(2);

            // Thin pool: one 64 MiB thin raw LUN; the workload wrote WRITES * IO bytes into it.
            String lun = "{lun=\"0\",target=\"" + t + "\",volume=\"lun0.img\"}";
            assertThat(after.get("platter_pool_provisioned_bytes")).isEqualTo(64.0 * (1 << 20));
            assertThat(after.get("platter_lun_size_bytes" + lun)).isEqualTo(64.0 * (1 << 20));
            assertThat(after.get("platter_pool_allocated_bytes")).as("a thin image holds what was written")
                    .isGreaterThanOrEqualTo(WRITES * IO).isLessThan(64.0 * (1 << 20));
            assertThat(after.get("platter_lun_allocated_bytes" + lun)).isEqualTo(after.get("platter_pool_allocated_bytes"));
            assertThat(after.get("platter_pool_allocated_bytes") - start.get("platter_pool_allocated_bytes"))
                    .as("allocation grew by the workload").isGreaterThanOrEqualTo(WRITES * IO);
            double fsSize = after.get("platter_pool_filesystem_size_bytes");
            assertThat(fsSize).isPositive();
            assertThat(after.get("platter_pool_filesystem_used_bytes")).isPositive().isLessThanOrEqualTo(fsSize);
            assertThat(after.get("platter_pool_filesystem_available_bytes")).isLessThanOrEqualTo(fsSize);
            assertThat(after.get("platter_pool_overprovisioning_ratio"))
                    .isCloseTo(64.0 * (1 << 20) / fsSize, org.assertj.core.data.Offset.offset(1e-9));
            // JVM metrics ride on the same endpoint.
            assertThat(after).containsKey("jvm_memory_used_bytes{area=\"heap\"}");
            assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_threads_current"));
            assertThat(after.get("process_open_fds")).isPositive();
        }
    }

    /**
     * Issue 15: series exist for the LUNs that exist. Error counters are there at 0 before any
     * error; a LUN's series appear at 0 when it is mapped, under its volume's name, and vanish when
     * it is unmapped; commands an initiator addresses to LUNs that do not exist create none.
     */
    @Test
    void seriesFollowTheMappedLuns() throws Exception {
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("MetricsIT-series", "16M",
                List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            String url = "http://127.0.0.1:" + metricsPort + "/metrics";
            String t = PlatterProcess.IQN;
            Map<String, Double> first = scrape(url);
            assertThat(first.get("platter_iscsi_pdu_errors_total{fatal=\"true\",reason=\"protocol_error\"}")).isZero();
            assertThat(first.get("platter_iscsi_digest_errors_total{kind=\"data\"}")).isZero();
            assertThat(first.get("platter_internal_errors_total")).isZero();
            assertThat(first.get("platter_scsi_commands_total{lun=\"0\",op=\"read\",target=\"" + t
                    + "\",volume=\"lun0.img\"}")).as("present at 0 before any command").isZero();

            // An initiator naming LUNs that do not exist (each gets LOGICAL UNIT NOT SUPPORTED).
            for (int lun : new int[] {5, 77, 16000}) {
                Tools.run("iscsi-inq", server.portalUrl() + "/" + t + "/" + lun);
            }
            server.cliOk("volume", "create", "vol1", "--size", "16M", "--target", t, "--lun", "1");
            Map<String, Double> mapped = scrape(url);
            assertThat(mapped.keySet()).as("no series for LUNs that do not exist")
                    .noneMatch(k -> k.contains("lun=\"5\"") || k.contains("lun=\"77\"") || k.contains("lun=\"16000\""));
            String lun1 = "{lun=\"1\",op=\"write\",target=\"" + t + "\",volume=\"vol1\"}";
            assertThat(mapped.get("platter_scsi_commands_total" + lun1)).as("a new LUN's series, at 0").isZero();
            assertThat(mapped.get("platter_lun_size_bytes{lun=\"1\",target=\"" + t + "\",volume=\"vol1\"}"))
                    .isEqualTo(16.0 * (1 << 20));

            Tools.runOk(Tools.DEFAULT_TIMEOUT, cmd("qemu-io", "-f", "raw", "-c", "write 0 4k", server.url(1)));
            assertThat(scrape(url).get("platter_scsi_commands_total" + lun1)).isEqualTo(1);

            server.cliOk("lun", "unmap", t, "1");
            Map<String, Double> unmapped = scrape(url);
            assertThat(unmapped.keySet()).as("an unmapped LUN's series are gone").noneMatch(k -> k.contains("lun=\"1\""));
            assertThat(unmapped).containsKey("platter_scsi_commands_total{lun=\"0\",op=\"read\",target=\"" + t
                    + "\",volume=\"lun0.img\"}");
            server.assertNoInternalErrors();
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        assertThat(after).as("metric " + key + " in the scrape").containsKey(key);
        return after.get(key) - before.getOrDefault(key, 0.0);
    }

    /** Samples of one scrape keyed {@code name{a="x",b="y"}} with labels sorted by name. */
    private Map<String, Double> scrape(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            List<String> parts = new ArrayList<>();
            labels.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
            String key = m.group(1) + (parts.isEmpty() ? "" : "{" + String.join(",", parts) + "}");
            samples.put(key, Double.parseDouble(m.group(4)));
        }
        return samples;
    }
}

package io.platter.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.session.IscsiMetrics.LunMetrics;
import io.platter.iscsi.session.IscsiMetrics.OpClass;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 "Package and metrics": per-LUN series exist exactly for the mapped LUNs (bounded
 * cardinality), carry the volume label, and error counters are present at 0 from the start.
 */
class PrometheusMetricsTest {

    private static final String T = "iqn.2026-11.io.platter:t";
    private static final String LUN0 = "{lun=\"0\",op=\"write\",target=\"" + T + "\",volume=\"vol0\"}";

    private final PrometheusMetrics metrics = new PrometheusMetrics();

    @Test
    void aMappedLunHasItsSeriesAtZeroWithItsVolume() throws Exception {
        metrics.lunMapped(T, 0, "vol0");
        String text = scrape();
        assertThat(value(text, "platter_scsi_commands_total" + LUN0)).isZero();
        assertThat(value(text, "platter_scsi_bytes_total" + LUN0)).isZero();
        assertThat(value(text, "platter_scsi_command_duration_seconds_count" + LUN0)).isZero();
        assertThat(value(text, "platter_scsi_commands_in_flight{lun=\"0\",target=\"" + T + "\",volume=\"vol0\"}"))
                .isZero();

        LunMetrics lun = metrics.lun(T, 0);
        lun.started();
        lun.completed(OpClass.WRITE, 4096, 1_000_000);
        text = scrape();
        assertThat(value(text, "platter_scsi_commands_total" + LUN0)).isEqualTo(1);
        assertThat(value(text, "platter_scsi_bytes_total" + LUN0)).isEqualTo(4096);
    }

    @Test
    void commandsToLunsThatDoNotExistMakeNoSeries() throws Exception {
        metrics.lunMapped(T, 0, "vol0");
        for (int n = 1; n < 200; n++) {
            LunMetrics ghost = metrics.lun(T, n);
            assertThat(ghost.current()).as("asked again at the next command").isFalse();
            ghost.started();
            ghost.completed(OpClass.READ, 512, 1000);
        }
        LunMetrics otherTarget = metrics.lun("iqn.2026-11.io.platter:other", 0);
        otherTarget.started();
        otherTarget.completed(OpClass.READ, 512, 1000);
        String text = scrape();
        assertThat(text).contains("volume=\"vol0\"").doesNotContain("lun=\"1\"").doesNotContain("lun=\"199\"")
                .doesNotContain("platter:other");
    }

    @Test
    void unmappingRemovesTheSeriesAndRetiresCachedRecorders() throws Exception {
        metrics.lunMapped(T, 0, "vol0");
        LunMetrics cached = metrics.lun(T, 0);
        assertThat(cached.current()).isTrue();
        metrics.lunUnmapped(T, 0);
        assertThat(cached.current()).as("a session that cached it asks again").isFalse();
        cached.started();
        cached.completed(OpClass.WRITE, 4096, 1000);
        assertThat(scrape()).doesNotContain("platter_scsi_commands_total{").doesNotContain("vol0");

        // Mapped again (another volume at the same LUN): new series from 0, under the new volume.
        metrics.lunMapped(T, 0, "vol1");
        LunMetrics again = metrics.lun(T, 0);
        again.started();
        again.completed(OpClass.WRITE, 4096, 1000);
        String text = scrape();
        assertThat(value(text, "platter_scsi_commands_total{lun=\"0\",op=\"write\",target=\"" + T
                + "\",volume=\"vol1\"}")).isEqualTo(1);
        assertThat(text).doesNotContain("vol0");
    }

    @Test
    void errorCountersArePresentAtZeroFromTheStart() throws Exception {
        String text = scrape();
        for (RejectReason reason : RejectReason.values()) {
            for (String fatal : new String[] {"false", "true"}) {
                assertThat(value(text, "platter_iscsi_pdu_errors_total{fatal=\"" + fatal + "\",reason=\""
                        + reason.name().toLowerCase(Locale.ROOT) + "\"}")).isZero();
            }
        }
        assertThat(value(text, "platter_iscsi_digest_errors_total{kind=\"data\"}")).isZero();
        assertThat(value(text, "platter_internal_errors_total")).isGreaterThanOrEqualTo(0);
        metrics.protocolError(RejectReason.DATA_DIGEST_ERROR, false);
        text = scrape();
        assertThat(value(text, "platter_iscsi_digest_errors_total{kind=\"data\"}")).isEqualTo(1);
        assertThat(value(text, "platter_iscsi_pdu_errors_total{fatal=\"false\",reason=\"data_digest_error\"}"))
                .isEqualTo(1);
    }

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(sample + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}

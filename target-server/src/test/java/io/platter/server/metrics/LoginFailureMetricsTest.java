package io.platter.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.iscsi.auth.LoginRefusal;
import io.platter.iscsi.session.IscsiMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** platter_login_failures_total{target,reason}: per configured target, bounded, present at 0 from the start. */
class LoginFailureMetricsTest {
    private static final String A = "iqn.2026-12.io.platter:a";
    private static final String B = "iqn.2026-12.io.platter:b";

    private final PrometheusMetrics metrics = new PrometheusMetrics();
    private final List<String> targets = new ArrayList<>(List.of(A, B));

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> samples(String text) {
        return text.lines().filter(l -> l.startsWith("platter_login_failures_total{")).toList();
    }

    private static String sample(String target, LoginRefusal reason, int value) {
        return "platter_login_failures_total{reason=\"" + reason.label() + "\",target=\"" + target + "\"} " + value
                + ".0";
    }

    @Test
    void everyTargetReportsEveryReasonAtZeroFromTheStart() throws Exception {
        metrics.knownTargets(() -> targets);
        List<String> fresh = samples(scrape());
        assertThat(fresh).hasSize(4 * LoginRefusal.values().length);
        assertThat(fresh).allMatch(l -> l.endsWith(" 0.0"));
        assertThat(fresh).contains(sample(A, LoginRefusal.WRONG_SECRET, 0), sample(IscsiMetrics.DISCOVERY,
                LoginRefusal.BLOCKED, 0), sample("other", LoginRefusal.UNKNOWN_TARGET, 0));
    }

    @Test
    void unknownNamesCountAsOtherAndRemovedTargetsLeave() throws Exception {
        metrics.knownTargets(() -> targets);
        metrics.loginRefused(A.toUpperCase(), LoginRefusal.WRONG_SECRET);
        metrics.loginRefused(A, LoginRefusal.BLOCKED);
        for (int i = 0; i < 100; i++) {
            metrics.loginRefused("iqn.2026-12.io.platter:guess" + i, LoginRefusal.UNKNOWN_TARGET);
        }
        metrics.loginRefused(null, LoginRefusal.OTHER);
        String text = scrape();
        assertThat(samples(text)).as("bounded: no series per guessed name").hasSize(4 * LoginRefusal.values().length)
                .contains(sample(A, LoginRefusal.WRONG_SECRET, 1), sample(A, LoginRefusal.BLOCKED, 1),
                        sample("other", LoginRefusal.UNKNOWN_TARGET, 100), sample("other", LoginRefusal.OTHER, 1),
                        sample(B, LoginRefusal.WRONG_SECRET, 0));
        targets.remove(A);
        assertThat(samples(scrape())).hasSize(3 * LoginRefusal.values().length).noneMatch(l -> l.contains(A));
    }
}

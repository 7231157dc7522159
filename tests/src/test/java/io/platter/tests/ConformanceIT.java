package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.platter.tests.support.ConformanceRunner;
import io.platter.tests.support.ConformanceStatus;
import io.platter.tests.support.PinnedResults;
import io.platter.tests.support.PlatterProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libiscsi {@code iscsi-test-cu} conformance against the pinned results in
 * {@code tests/conformance/iscsi-test-cu.pinned}: every test pinned PASS must still pass.
 *
 * <p>{@code -Dconformance.update=true} rewrites the pinned file from this run (never
 * downgrading a PASS). {@code -Dconformance.url=iscsi://...} runs against another target
 * instead of a fresh daemon, {@code -Dconformance.pinned=FILE} compares with another file.
 */
class ConformanceIT {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    @Test
    @Timeout(1200)
    void pinnedPassesStillPass() throws IOException {
        Path module = PlatterProcess.moduleDir();
        Path outDir = module.resolve("target").resolve("conformance");
        Path pinnedFile = Path.of(System.getProperty("conformance.pinned",
                module.resolve("conformance").resolve("iscsi-test-cu.pinned").toString()));
        boolean update = Boolean.getBoolean("conformance.update");
        String externalUrl = System.getProperty("conformance.url", "");

        ConformanceRunner.Run run;
        if (externalUrl.isBlank()) {
            try (PlatterProcess server = PlatterProcess.start("ConformanceIT", "256M")) {
                run = ConformanceRunner.run(server.url(), outDir, RUN_TIMEOUT);
            }
        } else {
            run = ConformanceRunner.run(externalUrl, outDir, RUN_TIMEOUT);
        }
        System.out.println("iscsi-test-cu: " + run.totals() + " (results " + run.resultsFile() + ", log " + run.log() + ")");

        assertThat(run.results()).as("no test ran; see " + run.log() + "\n" + tail(run.command().output()))
                .isNotEmpty();

        SortedMap<String, ConformanceStatus> pinned;
        List<PinnedResults.Reason> reasons = List.of();
        if (Files.exists(pinnedFile)) {
            pinned = PinnedResults.read(pinnedFile);
            reasons = PinnedResults.reasons(Files.readString(pinnedFile, StandardCharsets.UTF_8));
        } else if (update) {
            pinned = new TreeMap<>();
        } else {
            fail("pinned file " + pinnedFile + " is missing; create it from this run with\n"
                    + "  mvn -B verify -pl tests -am -Dit.test=ConformanceIT -Dconformance.update=true\n"
                    + "(current results are in " + run.resultsFile() + ")");
            return;
        }
        if (update) {
            SortedMap<String, ConformanceStatus> merged = PinnedResults.merge(pinned, run.results());
            Files.createDirectories(pinnedFile.toAbsolutePath().getParent());
            Files.writeString(pinnedFile, PinnedResults.format(List.of(
                    "Pinned iscsi-test-cu (libiscsi) results: Suite.Test PASS|FAIL|SKIP|UNKNOWN.",
                    "A test pinned PASS must stay PASS (ConformanceIT). Regenerate with",
                    "  mvn -B verify -pl tests -am -Dit.test=ConformanceIT -Dconformance.update=true",
                    "which never downgrades a PASS.",
                    "Last update: " + run.totals(),
                    "Each test not pinned PASS has a reason line: '# SKIP|FAIL Suite.Test: reason' (Suite.* for a suite)."),
                    reasons, merged), StandardCharsets.UTF_8);
            System.out.println("iscsi-test-cu: updated " + pinnedFile);
        }

        List<String> regressions = PinnedResults.regressions(pinned, run.results());
        assertThat(regressions)
                .as("%d tests pinned PASS in %s no longer pass (log %s; timed out: %s):%n  %s",
                        regressions.size(), pinnedFile, run.log(), run.command().timedOut(),
                        String.join("\n  ", regressions))
                .isEmpty();
        assertThat(run.command().timedOut()).as("iscsi-test-cu exceeded " + RUN_TIMEOUT).isFalse();
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}

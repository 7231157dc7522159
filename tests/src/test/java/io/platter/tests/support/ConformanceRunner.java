package io.platter.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;

/**
 * Runs libiscsi's {@code iscsi-test-cu --dataloss --allow-sanitize -t ALL URL URL} (the second URL
 * is the multipath path, logged in with the tool's second initiator name) and parses its console output.
 * Writes {@code cu.log} (full output) and {@code results.txt} ({@code Suite.Test STATUS}) into
 * the output directory.
 *
 * <p>Each suite runs in an iscsi-test-cu process of its own: in libiscsi 1.19
 * CompareAndWrite.InvalidDataOutSize installs a PDU hook that rewrites byte 13 of every later
 * SCSI Command PDU's CDB and, when COMPARE AND WRITE is unsupported, returns before removing it,
 * so every later 16-byte-CDB test of the same process would run with a corrupted transfer length.
 * (It only gets that far on a thin-provisioned LUN, LBPME=1.)
 */
public final class ConformanceRunner {

    private ConformanceRunner() {
    }

    /** One run: per-test results, the raw command result, and where its files are. */
    public record Run(SortedMap<String, ConformanceStatus> results, Tools.Result command, Path log,
                      Path resultsFile) {

        public CuConsoleParser.Totals totals() {
            return CuConsoleParser.Totals.of(results);
        }
    }

    /** Runs the whole {@code ALL} family against {@code url}, one suite per process; each killed after {@code timeout}. */
    public static Run run(String url, Path outDir, Duration timeout) throws IOException {
        Files.createDirectories(outDir);
        Path log = outDir.resolve("cu.log");
        Tools.Result r = null;
        SortedMap<String, ConformanceStatus> results = new java.util.TreeMap<>();
        StringBuilder logText = new StringBuilder();
        for (String suite : suites()) {
            Tools.Result one = Tools.run(timeout, command(suite, url));
            // Each process prints its own CUnit banner and summary: parse them one by one.
            results.putAll(CuConsoleParser.parse(one.output()));
            logText.append(one.describe()).append('\n');
            r = r == null ? one : new Tools.Result(r.command(), r.exitCode() != 0 ? r.exitCode() : one.exitCode(),
                    r.timedOut() || one.timedOut(), r.output() + "\n" + one.output());
        }
        Files.writeString(log, logText, StandardCharsets.ISO_8859_1);
        Path resultsFile = outDir.resolve("results.txt");
        Files.writeString(resultsFile, PinnedResults.format(
                List.of("iscsi-test-cu -t ALL against " + url, CuConsoleParser.Totals.of(results).toString()),
                results), StandardCharsets.UTF_8);
        return new Run(results, r, log, resultsFile);
    }

    private static List<String> command(String tests, String url) {
        // stdbuf: line-buffered output, so a run killed at the timeout still shows how far it got.
        return List.of("stdbuf", "-oL", "-eL", "iscsi-test-cu", "--dataloss", "--allow-sanitize", "-t", tests,
                url, url);
    }

    /** Every suite the tool lists ({@code iscsi-test-cu -l}), or just {@code ALL} when it lists none. */
    static List<String> suites() {
        Tools.Result list = Tools.run("iscsi-test-cu", "-l");
        List<String> suites = list.output().lines().map(String::trim)
                .filter(l -> l.startsWith("ALL.") && l.chars().filter(c -> c == '.').count() == 1)
                .toList();
        return suites.isEmpty() ? List.of("ALL") : suites;
    }
}

package io.platter.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;

/**
 * Runs libiscsi's {@code iscsi-test-cu --dataloss -t ALL URL URL} (the second URL is the
 * multipath path, logged in with the tool's second initiator name) and parses its console output.
 * Writes {@code cu.log} (full output) and {@code results.txt} ({@code Suite.Test STATUS}) into
 * the output directory.
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

    /** Runs the whole {@code ALL} family against {@code url}, killed after {@code timeout}. */
    public static Run run(String url, Path outDir, Duration timeout) throws IOException {
        Files.createDirectories(outDir);
        // stdbuf: line-buffered output, so a run killed at the timeout still shows how far it got.
        List<String> command = List.of("stdbuf", "-oL", "-eL", "iscsi-test-cu", "--dataloss", "-t", "ALL", url, url);
        Path log = outDir.resolve("cu.log");
        Tools.Result r = Tools.runLogged(timeout, log, command);
        SortedMap<String, ConformanceStatus> results = CuConsoleParser.parse(r.output());
        Path resultsFile = outDir.resolve("results.txt");
        Files.writeString(resultsFile, PinnedResults.format(
                List.of("iscsi-test-cu -t ALL against " + url, CuConsoleParser.Totals.of(results).toString()),
                results), StandardCharsets.UTF_8);
        return new Run(results, r, log, resultsFile);
    }
}

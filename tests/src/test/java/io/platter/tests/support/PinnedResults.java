package io.platter.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The pinned expected results of {@code iscsi-test-cu}: one {@code Suite.Test STATUS} per line,
 * {@code #} starts a comment. The file only ever gets better: a test pinned PASS must stay PASS,
 * and {@link #merge} never downgrades one.
 */
public final class PinnedResults {

    private PinnedResults() {
    }

    /** Reads a pinned file. Blank lines and {@code #} comments are ignored. */
    public static SortedMap<String, ConformanceStatus> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses pinned-file text; fails on a malformed line naming its number. */
    public static SortedMap<String, ConformanceStatus> parse(String text) {
        SortedMap<String, ConformanceStatus> map = new TreeMap<>();
        String[] lines = text.split("\\r?\\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            String[] parts = body.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'Suite.Test STATUS': " + line);
            }
            map.put(parts[0], ConformanceStatus.valueOf(parts[1]));
        }
        return map;
    }

    /** Formats results as pinned-file text under {@code header} comment lines. */
    public static String format(List<String> header, Map<String, ConformanceStatus> results) {
        StringBuilder sb = new StringBuilder();
        header.forEach(h -> sb.append("# ").append(h).append('\n'));
        new TreeMap<>(results).forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        return sb.toString();
    }

    /**
     * Tests pinned PASS that are not PASS now, each as {@code "Suite.Test: now STATUS"} (or
     * {@code "now missing"} when the run did not report it), sorted.
     */
    public static List<String> regressions(Map<String, ConformanceStatus> pinned,
                                           Map<String, ConformanceStatus> current) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(pinned).forEach((test, status) -> {
            if (status == ConformanceStatus.PASS && current.get(test) != ConformanceStatus.PASS) {
                ConformanceStatus now = current.get(test);
                out.add(test + ": now " + (now == null ? "missing" : now));
            }
        });
        return out;
    }

    /**
     * The new pinned content: the current results, except that a test pinned PASS stays PASS
     * and tests absent from the current run keep their pinned status.
     */
    public static SortedMap<String, ConformanceStatus> merge(Map<String, ConformanceStatus> pinned,
                                                             Map<String, ConformanceStatus> current) {
        SortedMap<String, ConformanceStatus> merged = new TreeMap<>(pinned);
        current.forEach((test, now) -> {
            if (pinned.get(test) != ConformanceStatus.PASS) {
                merged.put(test, now);
            }
        });
        return merged;
    }
}

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pinned expected results of {@code iscsi-test-cu}: one {@code Suite.Test STATUS} per line,
 * {@code #} starts a comment. The file only ever gets better: a test pinned PASS must stay PASS,
 * and {@link #merge} never downgrades one. Every test pinned SKIP or FAIL carries a reason: a
 * comment line {@code # SKIP Suite.Test: reason} (or {@code FAIL}; {@code Suite.*} covers a whole
 * suite) after the header. Reasons survive a regeneration of the file.
 */
public final class PinnedResults {

    private static final Pattern REASON = Pattern.compile("^#\\s*(SKIP|FAIL)\\s+(\\S+):\\s*(\\S.*)$");

    private PinnedResults() {
    }

    /**
     * A reason why tests are not pinned PASS.
     *
     * @param status  the status it explains
     * @param tests   {@code Suite.Test}, or {@code Suite.*} for every test of a suite
     * @param because the reason
     */
    public record Reason(ConformanceStatus status, String tests, String because) {

        public boolean covers(String test, ConformanceStatus pinned) {
            if (pinned != status) {
                return false;
            }
            return tests.endsWith(".*")
                    ? test.startsWith(tests.substring(0, tests.length() - 1))
                    : test.equals(tests);
        }

        /** The comment line of this reason. */
        public String line() {
            return "# " + status + " " + tests + ": " + because;
        }
    }

    /** The reason lines of pinned-file text, in file order. */
    public static List<Reason> reasons(String text) {
        List<Reason> out = new ArrayList<>();
        for (String line : text.split("\\r?\\n")) {
            Matcher m = REASON.matcher(line.trim());
            if (m.matches()) {
                out.add(new Reason(ConformanceStatus.valueOf(m.group(1)), m.group(2), m.group(3).trim()));
            }
        }
        return out;
    }

    /** Tests pinned SKIP, FAIL or UNKNOWN that no reason covers, sorted. */
    public static List<String> unexplained(Map<String, ConformanceStatus> pinned, List<Reason> reasons) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(pinned).forEach((test, status) -> {
            if (status != ConformanceStatus.PASS && reasons.stream().noneMatch(r -> r.covers(test, status))) {
                out.add(test + " " + status);
            }
        });
        return out;
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
        return format(header, List.of(), results);
    }

    /** Formats results as pinned-file text under {@code header} comment lines and the reasons. */
    public static String format(List<String> header, List<Reason> reasons, Map<String, ConformanceStatus> results) {
        StringBuilder sb = new StringBuilder();
        header.forEach(h -> sb.append("# ").append(h).append('\n'));
        reasons.forEach(r -> sb.append(r.line()).append('\n'));
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

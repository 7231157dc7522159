package io.platter.tests.support;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the CUnit console output of libiscsi's {@code iscsi-test-cu} into {@code Suite.Test ->
 * status}.
 *
 * <p>Shape of the output: {@code Suite: NAME}, then per test {@code "  Test: NAME ..."} followed
 * (on the same line or after the test's own log lines) by a line starting with {@code passed} or
 * {@code FAILED}; {@code Run Summary:} ends the run. Text after the verdict belongs to the next
 * test's set-up or the suite clean-up and is ignored, so a {@code [SKIPPED]} there does not
 * make the finished test a skip. A test run twice gets {@code #2} appended.
 */
public final class CuConsoleParser {

    private static final Pattern SUITE = Pattern.compile("^Suite: (.*)$");
    private static final Pattern SUITE_WARNING =
            Pattern.compile("^\\s*WARNING - Suite (initialization|cleanup) failed for '(.*)'");
    private static final Pattern TEST = Pattern.compile("^\\s+Test: (\\S+) \\.\\.\\.(.*)$");
    private static final Pattern VERDICT = Pattern.compile("^(passed|FAILED)\\b.*$");

    private CuConsoleParser() {
    }

    /** Totals over a result map. */
    public record Totals(int passed, int failed, int skipped, int unknown) {

        public static Totals of(Map<String, ConformanceStatus> results) {
            Map<ConformanceStatus, Integer> n = new EnumMap<>(ConformanceStatus.class);
            results.values().forEach(s -> n.merge(s, 1, Integer::sum));
            return new Totals(n.getOrDefault(ConformanceStatus.PASS, 0), n.getOrDefault(ConformanceStatus.FAIL, 0),
                    n.getOrDefault(ConformanceStatus.SKIP, 0), n.getOrDefault(ConformanceStatus.UNKNOWN, 0));
        }

        public int total() {
            return passed + failed + skipped + unknown;
        }

        @Override
        public String toString() {
            return "tests=" + total() + " passed=" + passed + " failed=" + failed + " skipped=" + skipped
                    + " unknown=" + unknown;
        }
    }

    /** Parses a whole console log; lines may end in LF or CRLF. */
    public static SortedMap<String, ConformanceStatus> parse(String console) {
        SortedMap<String, ConformanceStatus> results = new TreeMap<>();
        String suite = "?";
        Running current = null;
        for (String line : console.split("\\r?\\n", -1)) {
            Matcher m;
            if ((m = SUITE.matcher(line)).matches()) {
                put(results, current);
                current = null;
                suite = m.group(1).trim();
            } else if (SUITE_WARNING.matcher(line).find()) {
                put(results, current);
                current = null;
            } else if ((m = TEST.matcher(line)).matches()) {
                put(results, current);
                current = new Running(suite + "." + m.group(1));
                current.accept(m.group(2));
            } else if (line.startsWith("Run Summary:")) {
                // Not the end: ConformanceRunner concatenates one run per suite.
                put(results, current);
                current = null;
            } else if (current != null) {
                current.accept(line);
            }
        }
        put(results, current);
        return results;
    }

    private static void put(SortedMap<String, ConformanceStatus> results, Running test) {
        if (test == null) {
            return;
        }
        String key = test.name;
        for (int n = 2; results.containsKey(key); n++) {
            key = test.name + "#" + n;
        }
        results.put(key, test.status());
    }

    /** One test between its {@code Test:} line and the next test, suite or summary. */
    private static final class Running {
        final String name;
        final List<String> before = new ArrayList<>();
        String verdict;

        Running(String name) {
            this.name = name;
        }

        void accept(String text) {
            if (verdict != null) {
                return;
            }
            Matcher v = VERDICT.matcher(text);
            if (v.matches()) {
                verdict = v.group(1);
            } else {
                before.add(text);
            }
        }

        ConformanceStatus status() {
            if ("FAILED".equals(verdict)) {
                return ConformanceStatus.FAIL;
            }
            if ("passed".equals(verdict)) {
                return before.stream().anyMatch(l -> l.contains("[SKIPPED]"))
                        ? ConformanceStatus.SKIP : ConformanceStatus.PASS;
            }
            return ConformanceStatus.UNKNOWN;
        }
    }
}

package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.server.cli.ApiClient.CliException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that is one management API request: builds its arguments, sends them, prints the
 * result as a table (or JSON with {@code --json}). Errors are one line on stderr and exit 1.
 */
abstract class ApiCommand implements Callable<Integer> {

    static final int EXIT_FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the daemon's data directory (finds its API)")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "the daemon's config file (finds its data directory)")
    Path config;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    /** The operation's path, e.g. {@code volume/create}. */
    abstract String operation();

    /** The request's arguments (null values are left out); a {@link CliException} for bad input. */
    abstract Map<String, Object> args() throws CliException;

    /** Prints the result for a person. */
    abstract void print(JsonNode result, PrintWriter out);

    /** Whether the operation may run long enough to show a progress line while waiting for it. */
    boolean showsProgress() {
        return false;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Map<String, Object> args = new LinkedHashMap<>(args());
            args.values().removeIf(v -> v == null);
            ApiClient client = ApiClient.locate(dataDir, config);
            JsonNode result;
            try (ProgressLine progress = showsProgress() && System.console() != null
                    ? ProgressLine.start(client, spec.commandLine().getErr()) : null) {
                result = client.call(operation(), args);
            }
            if (json) {
                out.println(result.toPrettyString());
            } else {
                print(result, out);
            }
            out.flush();
            return 0;
        } catch (CliException e) {
            spec.commandLine().getErr().println("platter: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * A table of {@code rows} with {@code columns}: header, JSON field and optionally how to show it
     * ({@link #DATE}); a field ending in {@code Bytes} is a size. See {@link #cell} for empty values.
     */
    static void table(PrintWriter out, JsonNode rows, String[][] columns) {
        List<String[]> lines = new ArrayList<>();
        String[] header = new String[columns.length];
        for (int c = 0; c < columns.length; c++) {
            header[c] = columns[c][0];
        }
        lines.add(header);
        for (JsonNode row : rows.isArray() ? rows : List.of(rows)) {
            String[] line = new String[columns.length];
            for (int c = 0; c < columns.length; c++) {
                line[c] = cell(row.path(columns[c][1]), columns[c][1], columns[c].length > 2 ? columns[c][2] : null);
            }
            lines.add(line);
        }
        int[] width = new int[columns.length];
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                width[c] = Math.max(width[c], l[c].length());
            }
        }
        for (String[] l : lines) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < l.length; c++) {
                sb.append(c == l.length - 1 ? l[c] : String.format("%-" + (width[c] + 2) + "s", l[c]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** Column kind: seconds since the epoch, shown as an ISO 8601 local time with its offset. */
    static final String DATE = "date";

    private static final DateTimeFormatter ISO_LOCAL_WITH_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    /**
     * One value for a person: {@code -} for what is absent, null, empty or negative (the API's
     * "none", e.g. LUN -1), a size in binary units, a date in ISO 8601; a list comma-separated,
     * numbers (LUNs) in ascending order. Never {@code null} or {@code -1}.
     */
    static String cell(JsonNode v, String field, String kind) {
        if (v.isMissingNode() || v.isNull() || (v.isNumber() && v.asLong() < 0) || (v.isTextual() && v.asText().isEmpty())) {
            return "-";
        }
        if (DATE.equals(kind)) {
            return v.asLong() <= 0 ? "-" : isoDate(v.asLong());
        }
        if (v.isNumber() && field.endsWith("Bytes")) {
            return human(v.asLong());
        }
        if (v.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            v.forEach(x -> items.add(x.isObject() ? x.path("lun") : x));
            if (items.stream().allMatch(JsonNode::isNumber)) {
                items.sort(java.util.Comparator.comparingLong(JsonNode::asLong));
            }
            List<String> parts = new ArrayList<>();
            items.forEach(x -> parts.add(cell(x, "", null)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        return v.asText();
    }

    /** {@code epochSeconds} as ISO 8601 in this host's time zone, with the offset: {@code 2026-12-07T23:54:24+01:00}. */
    static String isoDate(long epochSeconds) {
        return ISO_LOCAL_WITH_OFFSET.format(Instant.ofEpochSecond(epochSeconds).atZone(ZoneId.systemDefault()));
    }

    /**
     * Prints {@code label: value} lines (one blank after the colon, so scripts can match
     * {@code image: /path}), values as {@link #cell} shows them; a size adds its exact byte count.
     */
    static void fields(PrintWriter out, JsonNode r, String[][] rows) {
        for (String[] row : rows) {
            String value = cell(r.path(row[1]), row[1], row.length > 2 ? row[2] : null);
            if (row[1].endsWith("Bytes") && r.path(row[1]).isNumber() && r.path(row[1]).asLong() >= 1024) {
                value += " (" + r.path(row[1]).asLong() + " bytes)";
            }
            out.println(row[0] + ": " + value);
        }
    }

    /**
     * {@code --lun} names a LUN of the target given with {@code --target}; alone it is a usage error
     * (exit 2), not a silently unmapped volume.
     */
    void lunNeedsTarget(Integer lun, String target) {
        if (lun != null && target == null) {
            throw new ParameterException(spec.commandLine(), "--lun needs --target: name the target the LUN belongs to");
        }
    }

    /** Bytes in binary units with one decimal, as {@code ls -lh}; {@code -} for a negative (unknown) size. */
    static String human(long bytes) {
        if (bytes < 0) {
            return "-";
        }
        if (bytes < 1024) {
            return bytes + "B";
        }
        String units = "KMGTPE";
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v)) + units.charAt(u);
    }

    /** Prints the {@code message} of a {@code Done} answer. */
    static void done(JsonNode result, PrintWriter out) {
        out.println(result.path("message").asText());
    }
}

package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.server.cli.ApiClient.CliException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    /** A table of {@code rows} with {@code columns} (header, JSON field). */
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
                line[c] = cell(row.path(columns[c][1]), columns[c][1]);
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

    private static String cell(JsonNode v, String field) {
        if (v.isMissingNode() || v.isNull() || (v.isNumber() && v.asLong() < 0 && field.equals("lun"))) {
            return "-";
        }
        if (v.isNumber() && field.toLowerCase().endsWith("bytes")) {
            return human(v.asLong());
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.isObject() ? x.path("lun").asText() : x.asText()));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        return v.asText();
    }

    /** Bytes in binary units with one decimal, as {@code ls -lh}. */
    static String human(long bytes) {
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
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format("%.1f", v)) + units.charAt(u);
    }

    /** Prints the {@code message} of a {@code Done} answer. */
    static void done(JsonNode result, PrintWriter out) {
        out.println(result.path("message").asText());
    }
}

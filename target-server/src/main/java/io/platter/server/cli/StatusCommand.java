package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code platter status}: portals, counts and the thin pool. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show portals, targets, sessions, offline LUNs and thin pool usage (provisioned vs physical).")
public final class StatusCommand extends ApiCommand {

    @Override String operation() {
        return "status";
    }

    @Override Map<String, Object> args() {
        return map();
    }

    @Override void print(JsonNode r, PrintWriter out) {
        JsonNode p = r.path("pool");
        out.println("platter " + r.path("version").asText() + " (" + r.path("transport").asText() + ")");
        java.util.List<String> portals = new java.util.ArrayList<>();
        r.path("portals").forEach(portal -> portals.add(portal.asText()));
        out.println("portals:     " + String.join(", ", portals));
        out.println("targets:     " + r.path("targets").asInt() + ", LUNs " + r.path("luns").asInt()
                + ", volumes " + r.path("volumes").asInt() + ", sessions " + r.path("sessions").asInt());
        JsonNode offline = r.path("offline");
        if (offline.size() > 0) {
            out.println("offline:     " + offline.size() + " LUN(s) answer NOT READY; fix the file(s) and run `platter reload`");
            for (JsonNode o : offline) {
                out.println("  LUN " + o.path("lun").asInt() + " of " + o.path("target").asText() + ": "
                        + o.path("reason").asText());
            }
        }
        out.println("config:      " + (r.path("configFile").isTextual() ? r.path("configFile").asText()
                : "none (embedded default)"));
        out.println("catalog:     " + r.path("catalog").asText() + ", generation " + r.path("generation").asLong());
        out.println("pool:        " + p.path("dataDir").asText());
        out.println("  size:        " + human(p.path("totalBytes").asLong()) + ", used " + human(p.path("usedBytes").asLong())
                + ", free " + human(p.path("freeBytes").asLong()));
        out.println("  provisioned: " + human(p.path("provisionedBytes").asLong()) + ", allocated "
                + human(p.path("allocatedBytes").asLong()));
        out.println(String.format("  over-provisioning: %.2f", p.path("overProvisioning").asDouble()));
        out.println("  soft threshold: " + p.path("thresholdPercent").asInt() + "%"
                + (p.path("thresholdReached").asBoolean() ? " (REACHED)" : ""));
    }
}

package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code platter status}: portals, counts and the thin pool. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show portals, targets, sessions and thin pool usage (provisioned vs physical).")
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
        out.println("config:      " + r.path("configFile").asText());
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

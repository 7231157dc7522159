package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter clone SOURCE[@SNAPSHOT] NEW}: a thin qcow2 overlay over a read-only template. */
@Command(name = "clone", mixinStandardHelpOptions = true,
        description = "Clone a volume into a new thin qcow2 volume backed by it (the source becomes a read-only template).")
public final class CloneCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "SOURCE[@SNAPSHOT]",
            description = "the template volume, or a volume's snapshot") String source;
    @Parameters(index = "1", paramLabel = "NEW", description = "the clone's name") String name;
    @Option(names = "--target", paramLabel = "IQN", description = "map the clone into this target") String target;
    @Option(names = "--lun", paramLabel = "N", description = "at this LUN (default: lowest free)") Integer lun;

    @Override String operation() {
        return "clone";
    }

    @Override Map<String, Object> args() {
        lunNeedsTarget(lun, target);
        int at = source.indexOf('@');
        return map("source", at < 0 ? source : source.substring(0, at), "snapshot", at < 0 ? null : source.substring(at + 1),
                "name", name, "target", target, "lun", lun);
    }

    @Override boolean showsProgress() {
        return source.indexOf('@') >= 0;
    }

    @Override void print(JsonNode r, PrintWriter out) {
        out.println("volume " + r.path("name").asText() + " cloned from " + r.path("backing").asText()
                + (r.path("target").isTextual() ? ", LUN " + r.path("lun").asInt() + " of " + r.path("target").asText() : ""));
    }
}

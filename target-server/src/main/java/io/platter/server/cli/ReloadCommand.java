package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code platter reload}: apply external edits of the config file. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Re-read the config file and apply the changes to targets and LUNs.")
public final class ReloadCommand extends ApiCommand {

    @Override String operation() {
        return "reload";
    }

    @Override Map<String, Object> args() {
        return map();
    }

    @Override void print(JsonNode r, PrintWriter out) {
        done(r, out);
    }
}

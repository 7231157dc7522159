package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code platter reload}: apply external edits of the config file. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Re-read the config file and apply the changes to targets and LUNs. A change that removes "
                + "a LUN or a target initiators are logged in to is refused, naming them, unless --force.")
public final class ReloadCommand extends ApiCommand {

    @Option(names = "--force", description = "remove LUNs and targets even though sessions are logged in to them")
    boolean force;

    @Override String operation() {
        return "reload";
    }

    @Override Map<String, Object> args() {
        return map("force", force ? true : null);
    }

    @Override void print(JsonNode r, PrintWriter out) {
        done(r, out);
    }
}

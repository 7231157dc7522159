package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code platter session list}. */
@Command(name = "session", mixinStandardHelpOptions = true, description = "iSCSI sessions.",
        subcommands = {SessionCommand.ListSessions.class})
public final class SessionCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List logged-in sessions.")
    static final class ListSessions extends ApiCommand {
        @Override String operation() {
            return "session/list";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, new String[][] {{"TSIH", "tsih"}, {"INITIATOR", "initiator"}, {"ISID", "isid"},
                    {"TARGET", "target"}});
        }
    }
}

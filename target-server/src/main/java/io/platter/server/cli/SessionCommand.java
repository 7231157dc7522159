package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code platter session list}. */
@Command(name = "session", mixinStandardHelpOptions = true, description = "iSCSI sessions.",
        subcommands = {SessionCommand.ListSessions.class})
public final class SessionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

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

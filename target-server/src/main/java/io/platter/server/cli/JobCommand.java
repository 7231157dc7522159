package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code platter job ...}: progress of long volume operations (flatten, thick create, copies). */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Follow long volume operations.",
        subcommands = {JobCommand.ListJobs.class, JobCommand.Show.class})
public final class JobCommand extends CommandGroup {

    static final String[][] COLUMNS = {{"ID", "id"}, {"OPERATION", "operation"}, {"VOLUME", "volume"},
            {"STATE", "state"}, {"DONE", "doneBytes"}, {"TOTAL", "totalBytes"}, {"ERROR", "error"}};

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List running and recently finished jobs.")
    static final class ListJobs extends ApiCommand {
        @Override String operation() {
            return "job/list";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, COLUMNS);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one job.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "the job's number (platter job list)") long id;

        @Override String operation() {
            return "job/show";
        }

        @Override Map<String, Object> args() {
            return map("id", id);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, COLUMNS);
        }
    }
}

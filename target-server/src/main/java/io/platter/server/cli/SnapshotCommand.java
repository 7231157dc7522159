package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code platter snapshot ...}: internal snapshots of qcow2 volumes. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Snapshots of qcow2 volumes.",
        subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class,
                SnapshotCommand.Revert.class, SnapshotCommand.Delete.class})
public final class SnapshotCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Take a crash-consistent snapshot, online.")
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "VOLUME") String volume;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        @Override String operation() {
            return "snapshot/create";
        }

        @Override Map<String, Object> args() {
            return map("volume", volume, "name", name);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("snapshot " + r.path("name").asText() + " of " + volume + " created (id " + r.path("id").asText() + ")");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a volume's snapshots.")
    static final class ListSnapshots extends ApiCommand {
        @Parameters(paramLabel = "VOLUME") String volume;

        @Override String operation() {
            return "snapshot/list";
        }

        @Override Map<String, Object> args() {
            return map("volume", volume);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, new String[][] {{"ID", "id"}, {"NAME", "name"}, {"DATE", "dateSeconds"},
                    {"DISK SIZE", "diskSizeBytes"}});
        }
    }

    @Command(name = "revert", mixinStandardHelpOptions = true, description = "Make a snapshot's contents current.")
    static final class Revert extends ApiCommand {
        @Parameters(index = "0", paramLabel = "VOLUME") String volume;
        @Parameters(index = "1", paramLabel = "NAME") String name;
        @Option(names = "--force", description = "even while initiators are logged in (they get a unit attention)")
        boolean force;

        @Override String operation() {
            return "snapshot/revert";
        }

        @Override Map<String, Object> args() {
            return map("volume", volume, "name", name, "force", force);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a snapshot.")
    static final class Delete extends ApiCommand {
        @Parameters(index = "0", paramLabel = "VOLUME") String volume;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        @Override String operation() {
            return "snapshot/delete";
        }

        @Override Map<String, Object> args() {
            return map("volume", volume, "name", name);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

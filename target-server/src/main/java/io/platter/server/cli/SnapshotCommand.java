package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter snapshot ...}: internal snapshots of qcow2 volumes. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Snapshots of qcow2 volumes.",
        subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class,
                SnapshotCommand.Revert.class, SnapshotCommand.Delete.class})
public final class SnapshotCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Take a crash-consistent snapshot, online; "
            + "with --group, of several volumes at one instant.")
    static final class Create extends ApiCommand {
        @Option(names = "--group", paramLabel = "G", description = "snapshot every VOLUME at one instant, as group G")
        String group;
        @Parameters(arity = "2..*", paramLabel = "VOLUME... NAME",
                description = "the volume (several with --group), then the snapshot's name") List<String> words;

        private List<String> volumes() {
            return words.subList(0, words.size() - 1);
        }

        private String name() {
            return words.get(words.size() - 1);
        }

        @Override String operation() {
            return group != null ? "snapshot/create-group" : "snapshot/create";
        }

        @Override Map<String, Object> args() {
            if (group != null) {
                return map("group", group, "volumes", volumes(), "name", name());
            }
            if (words.size() != 2) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give one VOLUME and a NAME (several volumes need --group)");
            }
            return map("volume", words.get(0), "name", name());
        }

        @Override void print(JsonNode r, PrintWriter out) {
            if (group != null) {
                out.println("snapshot " + r.path("name").asText() + " of " + String.join(", ", volumes())
                        + " created as group " + group + " (writes paused " + r.path("pauseMillis").asLong() + " ms)");
            } else {
                out.println("snapshot " + r.path("name").asText() + " of " + words.get(0) + " created (id "
                        + r.path("id").asText() + ")");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a volume's snapshots.")
    static final class ListSnapshots extends ApiCommand {
        @Parameters(paramLabel = "VOLUME", description = "the volume") String volume;

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
        @Parameters(index = "0", paramLabel = "VOLUME", description = "the volume") String volume;
        @Parameters(index = "1", paramLabel = "NAME", description = "the snapshot to return to") String name;
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
        @Parameters(index = "0", paramLabel = "VOLUME", description = "the volume") String volume;
        @Parameters(index = "1", paramLabel = "NAME", description = "the snapshot to delete") String name;

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

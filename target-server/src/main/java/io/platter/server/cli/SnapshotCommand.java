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

    @Command(name = "list", mixinStandardHelpOptions = true, description = {"List a volume's snapshots.",
            "With --group (and no VOLUME): the recorded group snapshots with their member volumes, of group G"
                    + " only when G is given."})
    static final class ListSnapshots extends ApiCommand {
        @Option(names = "--group", arity = "0..1", fallbackValue = "", paramLabel = "G",
                description = "list group snapshots (of group G only, when given) instead of one volume's")
        String group;
        @Parameters(arity = "0..1", paramLabel = "VOLUME", description = "the volume whose snapshots to list")
        String volume;

        @Override String operation() {
            return group != null ? "snapshot/list-groups" : "snapshot/list";
        }

        @Override Map<String, Object> args() {
            if ((group == null) == (volume == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give a VOLUME, or --group [G] without one");
            }
            return group != null ? map("group", group.isEmpty() ? null : group) : map("volume", volume);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            if (group != null) {
                table(out, r, new String[][] {{"GROUP", "group"}, {"NAME", "name"}, {"VOLUMES", "volumes"},
                        {"CREATED", "created"}});
            } else {
                table(out, r, new String[][] {{"ID", "id"}, {"NAME", "name"}, {"DATE", "dateSeconds", DATE},
                        {"DISK SIZE", "diskSizeBytes"}});
            }
        }
    }

    /** VOLUME NAME, or with {@code --group G} only NAME. */
    abstract static class OneOrGroup extends ApiCommand {
        @Option(names = "--group", paramLabel = "G", description = "every member of group G's snapshot NAME, as one")
        String group;
        @Parameters(arity = "1..2", paramLabel = "[VOLUME] NAME",
                description = "the volume (left out with --group), then the snapshot's name") List<String> words;

        Map<String, Object> target() {
            if (group != null ? words.size() != 1 : words.size() != 2) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        group != null ? "with --group give only the snapshot NAME" : "give a VOLUME and a NAME");
            }
            return group != null ? map("group", group, "name", words.get(0))
                    : map("volume", words.get(0), "name", words.get(1));
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    @Command(name = "revert", mixinStandardHelpOptions = true, description = {"Make a snapshot's contents (and disk"
            + " size) current.", "With --group, every member of the group at one instant; refused before any member"
            + " changes when one cannot be reverted."})
    static final class Revert extends OneOrGroup {
        @Option(names = "--force", description = "even while initiators are logged in (they get a unit attention)")
        boolean force;

        @Override String operation() {
            return group != null ? "snapshot/revert-group" : "snapshot/revert";
        }

        @Override Map<String, Object> args() {
            Map<String, Object> m = target();
            m.put("force", force);
            return m;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a snapshot.",
            "With --group, the group's snapshot in every member, and the group record."})
    static final class Delete extends OneOrGroup {
        @Override String operation() {
            return group != null ? "snapshot/delete-group" : "snapshot/delete";
        }

        @Override Map<String, Object> args() {
            return target();
        }
    }
}

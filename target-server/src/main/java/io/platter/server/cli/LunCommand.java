package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter lun map|unmap|list}: volumes as LUNs of targets. */
@Command(name = "lun", mixinStandardHelpOptions = true, description = "Map volumes into targets and list LUNs.",
        subcommands = {LunCommand.MapLun.class, LunCommand.Unmap.class, LunCommand.ListLuns.class})
public final class LunCommand extends CommandGroup {

    /** The columns of a LUN list ({@code target show} leaves out the target). */
    static final String[][] LUN_COLUMNS = {{"LUN", "lun"}, {"VOLUME", "volume"}, {"SIZE", "sizeBytes"},
            {"STATE", "state"}, {"IMAGE", "image"}};

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List LUNs with their volume, size, state and image, sorted by target, then LUN.")
    static final class ListLuns extends ApiCommand {
        @Option(names = "--target", paramLabel = "IQN", description = "Only the LUNs of this target.") String target;

        @Override String operation() {
            return "lun/list";
        }

        @Override Map<String, Object> args() {
            return map("target", target);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            String[][] columns = new String[LUN_COLUMNS.length + 1][];
            columns[0] = new String[] {"TARGET", "target"};
            System.arraycopy(LUN_COLUMNS, 0, columns, 1, LUN_COLUMNS.length);
            table(out, r, columns);
        }
    }

    @Command(name = "map", mixinStandardHelpOptions = true, description = "Map a volume as a LUN of a target.")
    static final class MapLun extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's IQN") String target;
        @Parameters(index = "1", paramLabel = "VOLUME", description = "the volume to map") String volume;
        @Option(names = "--lun", paramLabel = "N", description = "default: lowest free") Integer lun;

        @Override String operation() {
            return "lun/map";
        }

        @Override Map<String, Object> args() {
            return map("target", target, "volume", volume, "lun", lun);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + volume + " is LUN " + r.path("lun").asInt() + " of " + target);
        }
    }

    @Command(name = "unmap", mixinStandardHelpOptions = true, description = "Unmap a LUN (the volume stays). "
            + "Refused while initiators are logged in to the target, unless --force.")
    static final class Unmap extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's IQN") String target;
        @Parameters(index = "1", paramLabel = "LUN", description = "the LUN number") int lun;
        @Option(names = "--force", description = "unmap even though sessions are logged in to the target; they "
                + "get REPORTED LUNS DATA HAS CHANGED") boolean force;

        @Override String operation() {
            return "lun/unmap";
        }

        @Override Map<String, Object> args() {
            return map("target", target, "lun", lun, "force", force ? true : null);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

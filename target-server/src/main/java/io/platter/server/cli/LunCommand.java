package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter lun map|unmap}: volumes as LUNs of targets. */
@Command(name = "lun", mixinStandardHelpOptions = true, description = "Map volumes into targets.",
        subcommands = {LunCommand.MapLun.class, LunCommand.Unmap.class})
public final class LunCommand extends CommandGroup {

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

    @Command(name = "unmap", mixinStandardHelpOptions = true, description = "Unmap a LUN (the volume stays).")
    static final class Unmap extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's IQN") String target;
        @Parameters(index = "1", paramLabel = "LUN", description = "the LUN number") int lun;

        @Override String operation() {
            return "lun/unmap";
        }

        @Override Map<String, Object> args() {
            return map("target", target, "lun", lun);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter target ...}: iSCSI targets. */
@Command(name = "target", mixinStandardHelpOptions = true, description = "Create, list, show and delete targets.",
        subcommands = {TargetCommand.Create.class, TargetCommand.ListTargets.class, TargetCommand.Show.class,
                TargetCommand.Delete.class})
public final class TargetCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a target without LUNs.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "IQN", description = "the target's iSCSI name") String iqn;
        @Option(names = "--alias", paramLabel = "A", description = "a friendly name initiators show") String alias;

        @Override String operation() {
            return "target/create";
        }

        @Override Map<String, Object> args() {
            return map("iqn", iqn, "alias", alias);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("target " + r.path("iqn").asText() + " created");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List targets.")
    static final class ListTargets extends ApiCommand {
        @Override String operation() {
            return "target/list";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, new String[][] {{"IQN", "iqn"}, {"ALIAS", "alias"}, {"LUNS", "luns"},
                    {"SESSIONS", "sessions"}, {"CHAP", "chap"}, {"CHAP USER", "chapUser"}, {"ACL", "acl"}});
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one target: alias, CHAP mode (never a secret), ACL, LUNs, portals and sessions.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "IQN", description = "The target's iSCSI name, in any case.") String iqn;

        @Override String operation() {
            return "target/show";
        }

        @Override Map<String, Object> args() {
            return map("iqn", iqn);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            fields(out, r, new String[][] {{"iqn", "iqn"}, {"alias", "alias"}, {"chap", "chap"},
                    {"chap user", "chapUser"}, {"sessions", "sessions"}, {"portals", "portals"}});
            out.println("acl: " + (r.path("acl").isEmpty() ? "(empty: every initiator may log in)"
                    : cell(r.path("acl"), "acl", null)));
            if (r.path("luns").isEmpty()) {
                out.println("luns: none");
                return;
            }
            out.println("luns:");
            java.io.StringWriter rows = new java.io.StringWriter();
            table(new PrintWriter(rows), r.path("luns"), LunCommand.LUN_COLUMNS);
            rows.toString().lines().forEach(l -> out.println("  " + l));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a target.")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "IQN", description = "the target's iSCSI name") String iqn;
        @Option(names = "--force", description = "even with LUNs or sessions (they are unmapped and closed)") boolean force;

        @Override String operation() {
            return "target/delete";
        }

        @Override Map<String, Object> args() {
            return map("iqn", iqn, "force", force);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

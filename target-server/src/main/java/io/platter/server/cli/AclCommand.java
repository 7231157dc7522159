package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter acl add|remove|list}: which initiators may log in to a target (RFC 7143 §4.2.7 names). */
@Command(name = "acl", mixinStandardHelpOptions = true,
        description = {"Allow initiators to log in to a target. A target with an empty ACL admits every initiator;",
                "one with names admits only those (and shows itself only to them in discovery).",
                "Changes apply to later logins at once: sessions logged in already stay until they log out."},
        subcommands = {AclCommand.Add.class, AclCommand.Remove.class, AclCommand.ListAcl.class})
public final class AclCommand extends CommandGroup {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Allow INITIATOR to log in to TARGET.",
                    "The first name added closes the target to every other initiator."})
    static final class Add extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's IQN") String target;
        @Parameters(index = "1", paramLabel = "INITIATOR", description = "iSCSI name, e.g. iqn.1994-05.com.redhat:host1")
        String initiator;

        @Override String operation() {
            return "acl/add";
        }

        @Override Map<String, Object> args() {
            return map("target", target, "initiator", initiator);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("initiator " + initiator.trim().toLowerCase(java.util.Locale.ROOT) + " may log in to "
                    + r.path("target").asText() + " (" + r.path("initiators").size() + " in the ACL)");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Refuse later logins of INITIATOR to TARGET.",
                    "Its sessions logged in already stay until they log out (or use target delete --force).",
                    "Removing the last name would open the target to every initiator: that needs --open."})
    static final class Remove extends ApiCommand {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's IQN") String target;
        @Parameters(index = "1", paramLabel = "INITIATOR", description = "the initiator's iSCSI name") String initiator;
        @Option(names = "--open", description = "allow removing the last name, opening the target to every initiator")
        boolean open;

        @Override String operation() {
            return "acl/remove";
        }

        @Override Map<String, Object> args() {
            return map("target", target, "initiator", initiator, "open", open);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("initiator " + initiator.trim().toLowerCase(java.util.Locale.ROOT) + " removed from the ACL of "
                    + r.path("target").asText() + (r.path("initiators").isEmpty() ? "; it is open to every initiator" : ""));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the initiators allowed to log in to TARGET.")
    static final class ListAcl extends ApiCommand {
        @Parameters(paramLabel = "TARGET", description = "the target's IQN") String target;

        @Override String operation() {
            return "acl/list";
        }

        @Override Map<String, Object> args() {
            return map("target", target);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            if (r.path("initiators").isEmpty()) {
                out.println("(no ACL: every initiator may log in to " + r.path("target").asText() + ")");
            }
            r.path("initiators").forEach(n -> out.println(n.asText()));
        }
    }
}

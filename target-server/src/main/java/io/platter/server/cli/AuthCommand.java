package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code platter auth blocks|unblock}: the login throttle, visible and clearable. */
@Command(name = "auth", mixinStandardHelpOptions = true,
        description = "Login blocks after repeated CHAP failures: list and lift them.",
        subcommands = {AuthCommand.Blocks.class, AuthCommand.Unblock.class})
public final class AuthCommand extends CommandGroup {

    @Command(name = "blocks", mixinStandardHelpOptions = true,
            description = "List the blocked (address, target, CHAP user) triples, their failures and when each block "
                    + "ends. Address * is a block for every address (many addresses guessing one user's secret).")
    static final class Blocks extends ApiCommand {
        @Override String operation() {
            return "auth/blocks";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            if (r.isEmpty()) {
                out.println("no login blocks");
                return;
            }
            table(out, r, new String[][] {{"ADDRESS", "address"}, {"TARGET", "target"}, {"USER", "user"},
                    {"FAILURES", "failures"}, {"BLOCKED UNTIL", "blockedUntil"}});
        }
    }

    @Command(name = "unblock", mixinStandardHelpOptions = true,
            description = "Lift the login blocks that match every option given (and forget their failures), "
                    + "or all of them with --all. The next correct login gets in at once.")
    static final class Unblock extends ApiCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class Which {
            @ArgGroup(exclusive = false)
            Match match;
            @Option(names = "--all", required = true, description = "lift every block") boolean all;
        }

        static final class Match {
            @Option(names = "--address", paramLabel = "ADDRESS", description = "the source address (* for the "
                    + "block of every address)") String address;
            @Option(names = "--target", paramLabel = "IQN", description = "the target") String target;
            @Option(names = "--user", paramLabel = "USER", description = "the CHAP user name") String user;
        }

        @Override String operation() {
            return "auth/unblock";
        }

        @Override Map<String, Object> args() {
            Match m = which.match;
            return which.all ? map("all", true)
                    : map("address", m.address, "target", m.target, "user", m.user);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

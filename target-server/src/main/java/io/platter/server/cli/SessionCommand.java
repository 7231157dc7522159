package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter session list|logout}. */
@Command(name = "session", mixinStandardHelpOptions = true, description = "iSCSI sessions.",
        subcommands = {SessionCommand.ListSessions.class, SessionCommand.Logout.class})
public final class SessionCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List logged-in sessions: target, "
            + "initiator, ISID, TSIH, portal, source address, connections (CIDs), CHAP user, digests and login time.")
    static final class ListSessions extends ApiCommand {
        @Override String operation() {
            return "session/list";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, new String[][] {{"TARGET", "target"}, {"INITIATOR", "initiator"}, {"ISID", "isid"},
                    {"TSIH", "tsih"}, {"PORTAL", "portal"}, {"SOURCE", "source"}, {"CONNS", "connections"},
                    {"CIDS", "cids"}, {"CHAP USER", "chapUser"}, {"HDR DIGEST", "headerDigest"},
                    {"DATA DIGEST", "dataDigest"}, {"LOGIN TIME", "loginTime"}});
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Ask a session's initiator to log out (an iSCSI Async Message, RFC 7143 11.9.1) and drop "
                    + "the session when it has not logged out within --time seconds.")
    static final class Logout extends ApiCommand {
        @Parameters(index = "0", paramLabel = "SESSION",
                description = "the session's TSIH, or its initiator name followed by the ISID (see session list)")
        String session;
        @Parameters(index = "1", paramLabel = "ISID", arity = "0..1",
                description = "the ISID, when SESSION is an initiator name") String isid;
        @Option(names = "--target", paramLabel = "IQN", description = "the target, when the initiator has "
                + "sessions with the same ISID on several") String target;
        @Option(names = "--time", paramLabel = "SECONDS", description = "how long the initiator gets to log out "
                + "(default 10, at most 300)") Integer seconds;

        @Override String operation() {
            return "session/logout";
        }

        @Override Map<String, Object> args() throws ApiClient.CliException {
            if (session.matches("[0-9]{1,5}")) {
                if (isid != null) {
                    throw new ApiClient.CliException("give a TSIH alone, or an initiator name and an ISID");
                }
                return map("tsih", Integer.parseInt(session), "target", target, "seconds", seconds);
            }
            if (isid == null) {
                throw new ApiClient.CliException("an initiator name needs the ISID too (see platter session list)");
            }
            return map("initiator", session, "isid", isid, "target", target, "seconds", seconds);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }
}

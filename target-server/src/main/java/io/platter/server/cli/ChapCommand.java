package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.server.cli.ApiClient.CliException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code platter chap set|clear}: CHAP credentials (RFC 1994; RFC 7143 §12.1.3) of a target or
 * of discovery. Secrets are read from a file or standard input so that they stay off the
 * process list; they are sent only to the daemon's loopback API and never printed.
 */
@Command(name = "chap", mixinStandardHelpOptions = true,
        description = {"Require CHAP authentication for logins to a target, or for discovery (--discovery).",
                "Changes apply to later logins at once: sessions logged in already stay."},
        subcommands = {ChapCommand.Set.class, ChapCommand.Clear.class})
public final class ChapCommand extends CommandGroup {

    /** Where a command applies: one target, or discovery. */
    static Map<String, Object> scope(String target, boolean discovery) throws CliException {
        if ((target == null) == !discovery) {
            throw new CliException("name a TARGET or use --discovery (not both)");
        }
        return discovery ? ApiCommand.map("discovery", true) : ApiCommand.map("target", target);
    }

    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Set the CHAP user and secret initiators must prove (and, with --mutual-user, what",
                    "the target answers with when an initiator asks it to authenticate itself).",
                    "Secrets shorter than 12 bytes work but draw a warning (Windows needs 12-16).",
                    "--secret puts the secret on the command line, visible to other local users:",
                    "prefer --secret-file or --secret-stdin."})
    static final class Set extends ApiCommand {
        @Parameters(arity = "0..1", paramLabel = "TARGET", description = "the target (or use --discovery)")
        String target;
        @Option(names = "--discovery", description = "authenticate discovery sessions (SendTargets) instead")
        boolean discovery;
        @Option(names = "--allow-short-secret",
                description = "accept a secret shorter than 12 bytes (refused otherwise, RFC 7143 §12.1.3)")
        boolean allowShortSecret;

        @Option(names = "--user", required = true, paramLabel = "U", description = "the CHAP name initiators send")
        String user;
        @ArgGroup(exclusive = true, multiplicity = "1")
        SecretSource secret;
        @ArgGroup(exclusive = false, multiplicity = "0..1")
        Mutual mutual;

        static final class SecretSource {
            @Option(names = "--secret", paramLabel = "S", description = "the secret itself") String value;
            @Option(names = "--secret-file", paramLabel = "FILE", description = "read the secret (one line) from FILE")
            Path file;
            @Option(names = "--secret-stdin", description = "read the secret (one line) from standard input")
            boolean stdin;
        }

        static final class Mutual {
            @Option(names = "--mutual-user", required = true, paramLabel = "U2",
                    description = "the CHAP name the target answers with") String user;
            @ArgGroup(exclusive = true, multiplicity = "1")
            MutualSecret secret;
        }

        static final class MutualSecret {
            @Option(names = "--mutual-secret", paramLabel = "S2", description = "the target's secret itself")
            String value;
            @Option(names = "--mutual-secret-file", paramLabel = "FILE",
                    description = "read the target's secret (one line) from FILE") Path file;
        }

        @Override String operation() {
            return "chap/set";
        }

        @Override Map<String, Object> args() throws CliException {
            Map<String, Object> args = scope(target, discovery);
            args.put("user", user);
            args.put("secret", secret.value != null ? secret.value
                    : secret.file != null ? fromFile(secret.file) : fromStdin());
            if (mutual != null) {
                args.put("mutualUser", mutual.user);
                args.put("mutualSecret", mutual.secret.value != null ? mutual.secret.value : fromFile(mutual.secret.file));
            }
            if (allowShortSecret) {
                args.put("allowShortSecret", true);
            }
            return args;
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
            description = "Turn CHAP off for TARGET (or discovery): later logins need no credentials.")
    static final class Clear extends ApiCommand {
        @Parameters(arity = "0..1", paramLabel = "TARGET", description = "the target (or use --discovery)")
        String target;
        @Option(names = "--discovery", description = "discovery sessions instead") boolean discovery;

        @Override String operation() {
            return "chap/clear";
        }

        @Override Map<String, Object> args() throws CliException {
            return scope(target, discovery);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    /** The secret in {@code file}: its one line, without the line end. Errors never quote the content. */
    static String fromFile(Path file) throws CliException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read the secret file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        return oneLine(text, "the secret file " + file);
    }

    /** One line from standard input; on a terminal it is prompted for and not echoed. */
    static String fromStdin() throws CliException {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("CHAP secret: ");
            if (typed == null) {
                throw new CliException("no secret on standard input");
            }
            return new String(typed);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new CliException("no secret on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new CliException("cannot read the secret from standard input (" + e.getClass().getSimpleName() + ")");
        }
    }

    static String oneLine(String text, String where) throws CliException {
        String s = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new CliException(where + " must hold the secret on one line");
        }
        return s;
    }
}

package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.config.ConfigLoader;
import io.platter.config.PrivateFiles;
import io.platter.server.cli.ApiClient.CliException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter config ...}: the effective configuration and the daemon's catalog (docs/catalog.md). */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Export the effective configuration; back up, restore and list the catalog's generations.",
        subcommands = {ConfigCommand.Export.class, ConfigCommand.Backup.class, ConfigCommand.Restore.class,
                ConfigCommand.Generations.class})
public final class ConfigCommand extends CommandGroup {

    /** Writes {@code text} to {@code file} atomically, mode 0600; refuses to replace an existing file. */
    static void writePrivate(Path file, String text) throws IOException {
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " exists already; name a new file");
        }
        PrivateFiles.write(file, text.getBytes(StandardCharsets.UTF_8),
                PrivateFiles.Ownership.ours(PrivateFiles.OWNER_ONLY));
    }

    /** A command whose answer is written to a file; a failed write exits 1. */
    abstract static class ToFile extends ApiCommand {
        private boolean failed;

        abstract Path file();

        @Override void print(JsonNode r, PrintWriter out) {
            Path f = file();
            if (f == null) {
                out.print(r.path("text").asText());
                return;
            }
            try {
                writePrivate(f, r.path("text").asText());
                out.println(done(r, f));
            } catch (IOException e) {
                spec.commandLine().getErr().println("platter: cannot write " + f + ": " + e.getMessage());
                failed = true;
            }
        }

        abstract String done(JsonNode r, Path file);

        @Override public Integer call() {
            int rc = super.call();
            return failed ? EXIT_FAILED : rc;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (the config file's settings and declared objects,"
                    + " and the catalog's objects) as a file that platter serve --config accepts.")
    static final class Export extends ToFile {
        @Option(names = "--include-secrets",
                description = "Include CHAP secrets; without it they are replaced by a placeholder the loader refuses.")
        boolean includeSecrets;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Write to this new file (mode 0600) instead of standard output.")
        Path output;

        @Override Path file() {
            return output;
        }

        @Override String operation() {
            return "config/export";
        }

        @Override Map<String, Object> args() {
            return map("includeSecrets", includeSecrets);
        }

        @Override String done(JsonNode r, Path file) {
            return "exported to " + file + " (catalog generation " + r.path("generation").asLong() + ")";
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Save the catalog generation in effect to a new file (mode 0600: it holds CHAP secrets).")
    static final class Backup extends ToFile {
        @Parameters(paramLabel = "FILE", description = "The backup file to create.")
        Path file;

        @Override Path file() {
            return file;
        }

        @Override String operation() {
            return "config/backup";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override String done(JsonNode r, Path f) {
            return "catalog generation " + r.path("generation").asLong() + " saved to " + f;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Check a backup, apply it like a reload and commit it as a new catalog generation;"
                    + " refused, with nothing changed, when it does not apply.")
    static final class Restore extends ApiCommand {
        @Parameters(paramLabel = "FILE", description = "A file made by platter config backup.")
        Path file;

        @Override String operation() {
            return "config/restore";
        }

        @Override Map<String, Object> args() throws CliException {
            try {
                return map("text", ConfigLoader.readText(file.toAbsolutePath().normalize()));
            } catch (java.nio.file.AccessDeniedException e) {
                throw new CliException(PrivateFiles.whyDenied(file));
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    @Command(name = "generations", mixinStandardHelpOptions = true,
            description = "List the catalog's generations, newest first.")
    static final class Generations extends ApiCommand {
        @Override String operation() {
            return "config/generations";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, new String[][] {{"GENERATION", "number"}, {"COMMITTED", "committed"}, {"SIZE", "bytes"},
                    {"CURRENT", "current"}, {"DAMAGED", "damaged"}, {"FILE", "file"}});
        }
    }
}

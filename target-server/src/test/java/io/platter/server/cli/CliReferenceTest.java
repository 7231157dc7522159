package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/cli.md, the man pages and the completion scripts, all generated from the command definitions. */
class CliReferenceTest {

    private static final Path DOCS = Path.of("..", "docs", "cli.md");

    @TempDir
    Path dir;

    /**
     * docs/cli.md is what the definitions give today. Run with {@code -Dplatter.updateDocs=true} to
     * rewrite it (then review the diff and commit it).
     */
    @Test
    void docsCliMdIsCurrent() throws Exception {
        String expected = CliReference.of().markdown();
        if (Boolean.getBoolean("platter.updateDocs")) {
            Files.writeString(DOCS, expected);
        }
        assertThat(Files.exists(DOCS)).as(DOCS.toAbsolutePath() + " exists").isTrue();
        assertThat(Files.readString(DOCS))
                .as("docs/cli.md is stale: regenerate it with -Dplatter.updateDocs=true (see the file's header)")
                .isEqualTo(expected);
    }

    @Test
    void theReferenceHasEveryCommandWithItsHelp() {
        String md = CliReference.of().markdown();
        for (String c : new String[] {"platter serve", "platter volume create", "platter snapshot revert",
                "platter lun unmap", "platter chap set", "platter help"}) {
            assertThat(md).contains("\n## " + c + "\n");
        }
        assertThat(md).contains("Usage: platter volume create").contains("--size=SIZE");
    }

    @Test
    void oneGzippedManPagePerTopLevelCommand() throws Exception {
        CliReference.main(new String[] {dir.toString()});
        Path man = dir.resolve(CliReference.MAN);
        for (String page : new String[] {"platter.1", "platter-serve.1", "platter-volume.1", "platter-snapshot.1",
                "platter-clone.1", "platter-lun.1", "platter-status.1", "platter-help.1"}) {
            assertThat(man.resolve(page + ".gz")).as(page).exists();
        }
        String volume = gunzip(Files.readAllBytes(man.resolve("platter-volume.1.gz")));
        assertThat(volume).startsWith(".\\\"").contains(".TH PLATTER\\-VOLUME 1", ".SH NAME\nplatter\\-volume \\- ",
                ".SS platter volume create", "\\fB\\-\\-size\\fR=\\fISIZE\\fR");
        for (String line : volume.split("\n")) {
            // a text line starting with a dot or quote would be read as a troff request
            assertThat(line.startsWith(".") || line.startsWith("'")).as(line)
                    .isEqualTo(line.matches("^\\.(\\\\\"|TH|SH|SS|TP|PP|nf|fi)( .*)?$"));
        }
        String root = gunzip(Files.readAllBytes(man.resolve("platter.1.gz")));
        assertThat(root).contains(".SH COMMANDS", "\\fBvolume\\fR", "\\fBplatter\\-volume\\fR(1)");
        // the same page gives the same bytes (no time stamp in the gzip header)
        assertThat(CliReference.gzip("x")).isEqualTo(CliReference.gzip("x"));
    }

    @Test
    void bashCompletionCompletesCommandsSubcommandsAndOptions() throws Exception {
        CliReference.main(new String[] {dir.toString()});
        Path script = dir.resolve(CliReference.BASH);
        assertThat(complete(script, "platter", "vol")).contains("volume");
        assertThat(complete(script, "platter", "volume", "cr")).contains("create");
        assertThat(complete(script, "platter", "volume", "create", "--si")).contains("--size");
        assertThat(complete(script, "platter", "he")).contains("help");
        String zsh = Files.readString(dir.resolve(CliReference.ZSH));
        assertThat(zsh).startsWith("#compdef platter\n").contains("bashcompinit", "_complete_platter");
    }

    /** What bash offers for the last of {@code words} after sourcing {@code script}. */
    private static String complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        String cmd = "source " + script + "; COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_platter platter; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String gunzip(byte[] gz) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void roffEscapesWhatTroffWouldInterpret() {
        assertThat(CliReference.roff("--size a\\b")).isEqualTo("\\-\\-size a\\eb");
        assertThat(CliReference.roffLines(".hidden\n'quoted\nplain")).isEqualTo("\\&.hidden\n\\&'quoted\nplain");
    }
}

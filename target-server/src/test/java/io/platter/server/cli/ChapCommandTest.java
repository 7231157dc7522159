package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.platter.server.cli.ApiClient.CliException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where {@code platter chap set} reads secrets from, and its usage errors, which never quote a secret. */
class ChapCommandTest {

    @TempDir
    Path dir;

    @Test
    void aSecretFileIsOneLineWithoutItsLineEnd() throws Exception {
        Path f = dir.resolve("secret");
        Files.writeString(f, "file-secret-1234\r\n");
        assertThat(ChapCommand.fromFile(f)).isEqualTo("file-secret-1234");
        Files.writeString(f, "no-line-end-1234");
        assertThat(ChapCommand.fromFile(f)).isEqualTo("no-line-end-1234");
        Files.writeString(f, "two-lines-1234\nsecond-line-5678\n");
        CliException e = catchThrowableOfType(CliException.class, () -> ChapCommand.fromFile(f));
        assertThat(e.getMessage()).contains("one line").doesNotContain("two-lines-1234", "second-line-5678");
        CliException missing = catchThrowableOfType(CliException.class, () -> ChapCommand.fromFile(dir.resolve("x")));
        assertThat(missing.getMessage()).contains("cannot read the secret file");
    }

    @Test
    void targetAndDiscoveryExcludeEachOther() throws Exception {
        assertThat(ChapCommand.scope("iqn.2026-11.io.platter:t", false)).containsEntry("target", "iqn.2026-11.io.platter:t");
        assertThat(ChapCommand.scope(null, true)).containsEntry("discovery", true);
        assertThat(catchThrowableOfType(CliException.class, () -> ChapCommand.scope(null, false))).isNotNull();
        assertThat(catchThrowableOfType(CliException.class, () -> ChapCommand.scope("t", true))).isNotNull();
    }

    @Test
    void twoSecretSourcesAreAUsageErrorThatHidesTheSecret() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ChapCommand()).setErr(new PrintWriter(err));
        int code = cli.execute("set", "iqn.2026-11.io.platter:t", "--user", "u", "--secret", "cli-secret-12345",
                "--secret-file", dir.resolve("f").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("mutually exclusive").doesNotContain("cli-secret-12345");
    }
}

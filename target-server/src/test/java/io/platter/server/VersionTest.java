package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code platter --version} is the pom's version, not a string someone has to remember to change. */
class VersionTest {

    /** The version in the parent pom (this module's {@code <parent>}), as the build sees it. */
    private static String pomVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>.*?</parent>", Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).as("a <parent> version in target-server/pom.xml").isTrue();
        return m.group(1).trim();
    }

    @Test
    void theVersionIsThePomVersion() throws IOException {
        assertThat(Version.get()).isEqualTo(pomVersion());
    }

    @Test
    void dashDashVersionPrintsIt() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("platter " + pomVersion());
    }
}

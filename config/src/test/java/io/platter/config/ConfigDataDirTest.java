package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 9: the CLI finds the data directory in a config file that does not load. */
class ConfigDataDirTest {

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("platter.yaml"), text);
    }

    @Test
    void aFileWithProblemsElsewhereStillNamesItsDataDir() throws Exception {
        Path file = write("""
                server:
                  portals: ["127.0.0.1:99999"]   # a bad port: the loader refuses the file
                  data-dir: /srv/platter
                targets:
                  - iqn: not-an-iqn
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class);
        assertThat(ConfigLoader.dataDirOf(file)).contains(Path.of("/srv/platter"));
    }

    @Test
    void aHalfEditedFileThatIsNoYamlStillNamesItsDataDir() throws Exception {
        Path file = write("""
                server:
                  data-dir: "relative data"   # quoted
                targets: [oops
                """);
        assertThat(ConfigLoader.dataDirOf(file)).contains(dir.resolve("relative data"));
    }

    @Test
    void withoutTheKeyThereIsNoneAndNoYamlWithoutItIsAnError() throws Exception {
        assertThat(ConfigLoader.dataDirOf(write("server:\n  portals: []\n"))).isEmpty();
        Path broken = write("targets: [oops\n");
        assertThatThrownBy(() -> ConfigLoader.dataDirOf(broken)).isInstanceOf(IOException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void aPermissionErrorNamesPathModeOwnerAndUs() throws Exception {
        Path file = write("server: {}\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        String message = PrivateFiles.whyDenied(file);
        assertThat(message).startsWith("permission denied: " + file.toAbsolutePath() + " is mode 0200 owner ")
                .containsPattern("and you are uid \\d+$");
    }
}

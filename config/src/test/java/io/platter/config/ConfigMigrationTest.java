package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigMigrationTest {

    private static final String V0 = """
            # Platter configuration (written before the version key existed)

            server:
              portals:
                - 127.0.0.1:3260   # loopback only
              data-dir: images
            targets:
              - iqn: iqn.2026-11.io.platter:old
                luns:
                  - id: 0
                    image: old.img
                    size: 16M
            """;

    @TempDir
    Path dir;

    @Test
    void aFileWithoutVersionIsMigratedInMemoryAndNeverRewritten() throws Exception {
        // Issue 15 item 4: the daemon never writes the operator's file (a dpkg conffile), not even to migrate it.
        Path file = Files.writeString(dir.resolve("platter.yaml"), V0);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        List<ConfigProblem> warnings = new ArrayList<>();

        PlatterConfig config = ConfigLoader.load(file, warnings::add);

        assertThat(config.version()).isEqualTo(1);
        assertThat(config.targets()).singleElement().satisfies(t -> assertThat(t.iqn())
                .isEqualTo("iqn.2026-11.io.platter:old"));
        assertThat(file).as("byte for byte as written").hasContent(V0);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no backup, no temporary file").hasSize(1);
        }
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w.message())
                .contains("version 0", "not changed", "version: 1"));
    }

    @Test
    void theMigratedTextKeepsItsLines() {
        ConfigMigration.Migrated m = ConfigMigration.migrate(V0);
        assertThat(m.migrated()).isTrue();
        assertThat(m.from()).isZero();
        assertThat(m.to()).isEqualTo(PlatterConfig.CURRENT_VERSION);
        assertThat(m.text()).as("unchanged, so problems keep their line numbers").isEqualTo(V0);
        assertThat(m.advice()).hasValueSatisfying(a -> assertThat(a).contains("version: 1"));
    }

    @Test
    void aCurrentFileIsLeftAlone() {
        String v1 = "version: 1\n" + V0;
        ConfigMigration.Migrated m = ConfigMigration.migrate(v1);
        assertThat(m.migrated()).isFalse();
        assertThat(m.from()).isEqualTo(1);
        assertThat(m.text()).isEqualTo(v1);
        assertThat(m.advice()).isEmpty();
    }

    @Test
    void newerAndUnreadableTextsAreLeftToTheLoader() {
        assertThat(ConfigMigration.migrate("version: 7\n").migrated()).isFalse();
        assertThat(ConfigMigration.migrate("version: 7\n").text()).isEqualTo("version: 7\n");
        assertThat(ConfigMigration.migrate("server: [unclosed\n").migrated()).isFalse();
    }

    @Test
    void versionDetection() {
        assertThat(ConfigMigration.version("")).contains(0);
        assertThat(ConfigMigration.version("server: {}\n")).contains(0);
        assertThat(ConfigMigration.version("version: 1\n")).contains(1);
        assertThat(ConfigMigration.version("server:\n  version: 3\n")).as("only the top level counts").contains(0);
        assertThat(ConfigMigration.version("- a\n")).isEmpty();
        assertThat(ConfigMigration.version("version: one\n")).isEmpty();
    }
}

package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    void aFileWithoutVersionIsMigratedWithABackupAndStillLoads() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), V0);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        ConfigMigration.Result result = ConfigMigration.migrate(file);

        assertThat(result.from()).isZero();
        assertThat(result.to()).isEqualTo(PlatterConfig.CURRENT_VERSION);
        Path backup = dir.resolve("platter.yaml.bak-v0");
        assertThat(result.backup()).contains(backup);
        assertThat(backup).hasContent(V0);
        String migrated = Files.readString(file);
        assertThat(migrated).startsWith("# Platter configuration (written before the version key existed)\n\n"
                + "version: 1\nserver:\n");
        assertThat(migrated).as("comments survive").contains("# loopback only");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.getPosixFilePermissions(backup)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no temporary files left").hasSize(2);
        }
        PlatterConfig config = ConfigLoader.load(file);
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.targets()).singleElement().satisfies(t -> assertThat(t.iqn())
                .isEqualTo("iqn.2026-11.io.platter:old"));
    }

    @Test
    void aCurrentFileIsLeftAlone() throws Exception {
        String v1 = "version: 1\n" + V0;
        Path file = Files.writeString(dir.resolve("platter.yaml"), v1);
        ConfigMigration.Result result = ConfigMigration.migrate(file);
        assertThat(result.migrated()).isFalse();
        assertThat(result.from()).isEqualTo(1);
        assertThat(file).hasContent(v1);
        assertThat(dir.resolve("platter.yaml.bak-v0")).doesNotExist();
    }

    @Test
    void migratingTwiceChangesNothingTheSecondTime() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), V0);
        assertThat(ConfigMigration.migrate(file).migrated()).isTrue();
        String once = Files.readString(file);
        assertThat(ConfigMigration.migrate(file).migrated()).isFalse();
        assertThat(file).hasContent(once);
    }

    @Test
    void newerAndUnreadableFilesAreLeftToTheLoader() throws Exception {
        Path newer = Files.writeString(dir.resolve("newer.yaml"), "version: 7\n");
        assertThat(ConfigMigration.migrate(newer).migrated()).isFalse();
        assertThat(newer).hasContent("version: 7\n");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "server: [unclosed\n");
        assertThat(ConfigMigration.migrate(broken).migrated()).isFalse();
        assertThat(dir.resolve("broken.yaml.bak-v0")).doesNotExist();
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

    @Test
    void theVersionKeyGoesBelowTheHeaderComment() {
        assertThat(ConfigMigration.withVersion("a: 1\n", 1)).isEqualTo("version: 1\na: 1\n");
        assertThat(ConfigMigration.withVersion("# c\na: 1\n", 1)).isEqualTo("# c\nversion: 1\na: 1\n");
        assertThat(ConfigMigration.withVersion("# only a comment\n", 1)).isEqualTo("# only a comment\nversion: 1\n");
        assertThat(ConfigMigration.withVersion("version: 0\na: 1\n", 1)).isEqualTo("version: 1\na: 1\n");
    }
}

package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWriterTest {

    @TempDir
    Path dir;

    private static final String FULL = """
            version: 1
            server:
              portals: ["127.0.0.1:3260", "[::1]:3261"]
              data-dir: data
              io-threads: 3
              metrics: 127.0.0.1:9470
              management: 127.0.0.1:9471
              thin-threshold: 70
              log-level: debug
              discovery-chap:
                user: disc
                secret: discoverysecret
            targets:
              - iqn: iqn.2026-11.io.platter:a
                alias: first
                chap:
                  user: u
                  secret: abcdefghijklmnop
                  mutual-user: m
                  mutual-secret: ponmlkjihgfedcba
                acl: [iqn.1994-05.com.redhat:client]
                luns:
                  - id: 3
                    image: vol1.qcow2
                    size: 1G
                    format: qcow2
              - iqn: iqn.2026-11.io.platter:b
            volumes:
              - name: vol1
                image: vol1.qcow2
              - name: golden
                image: golden.img
                format: raw
                provisioning: thick
                template: true
            """;

    @Test
    void writtenFileLoadsAsTheSameConfiguration() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), FULL);
        PlatterConfig config = ConfigLoader.load(file);
        assertThat(config.volumes()).extracting(VolumeConfig::name).containsExactly("vol1", "golden");
        assertThat(config.volumes().get(0).format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(config.volumes().get(1).template()).isTrue();
        assertThat(config.server().thinThresholdPercent()).isEqualTo(70);
        assertThat(config.server().management()).contains(new Portal("127.0.0.1", 9471));

        Path copy = dir.resolve("copy.yaml");
        ConfigWriter.write(copy, config);

        assertThat(ConfigLoader.load(copy)).isEqualTo(config);
    }

    @Test
    void rewriteIsAtomicKeepsOneBackupAndTheFileMode() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), FULL);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        PlatterConfig config = ConfigLoader.load(file);

        PlatterConfig changed = config.withVolumes(config.volumes().subList(0, 1));
        ConfigWriter.write(file, changed);
        ConfigWriter.write(file, changed.withVolumes(List.of()));

        assertThat(ConfigLoader.load(file).volumes()).isEmpty();
        assertThat(ConfigLoader.load(ConfigWriter.backup(file))).isEqualTo(changed);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("platter.yaml", "platter.yaml.bak");
        }
    }

    @Test
    void aNewFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("new.yaml");
        ConfigWriter.write(file, PlatterConfig.embeddedDefault(dir));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ConfigLoader.load(file)).isEqualTo(PlatterConfig.embeddedDefault(dir));
    }

    @Test
    void badVolumesAreAllReported() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), """
                volumes:
                  - name: "-bad"
                    image: a.img
                  - name: ok
                    image: a.img
                    format: qcow2
                    provisioning: thick
                  - name: ok
                    image: b.img
                    template: maybe
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
                        .contains("volumes[0].name").contains("bad volume name"))
                .anySatisfy(p -> assertThat(p).contains("volumes[1].image").contains("already volume"))
                .anySatisfy(p -> assertThat(p).contains("volumes[1].provisioning").contains("always thin"))
                .anySatisfy(p -> assertThat(p).contains("volumes[2].name").contains("duplicate volume"))
                .anySatisfy(p -> assertThat(p).contains("volumes[2].template").contains("true or false"));
    }
}

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

        Path copy = Files.writeString(dir.resolve("copy.yaml"), ConfigWriter.toYaml(config));

        assertThat(ConfigLoader.load(copy)).isEqualTo(config);
    }

    @Test
    void anExportLoadsAsTheSameConfigurationWithImagesRelativeToTheDataDir() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), FULL);
        PlatterConfig config = ConfigLoader.load(file);
        String export = ConfigWriter.exportYaml(config, true, "exported\nfor a test");

        assertThat(export).startsWith("# exported\n# for a test\n");
        Path copy = Files.writeString(dir.resolve("export.yaml"), export);
        assertThat(ConfigLoader.load(copy)).isEqualTo(config);
    }

    @Test
    void anExportWithoutSecretsIsRefusedWithWhatToDo() throws Exception {
        PlatterConfig config = PlatterConfig.embeddedDefault(dir).withDiscoveryChap(
                ChapCredentials.oneWay("disco", "a-discovery-secret"));
        String export = ConfigWriter.exportYaml(config, false, "");
        assertThat(export).doesNotContain("a-discovery-secret").contains(ConfigWriter.SECRET_PLACEHOLDER);
        Path copy = Files.writeString(dir.resolve("export.yaml"), export);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(copy));
        assertThat(e.problems()).singleElement().asString().contains("server.discovery-chap.secret",
                "left out when this file was exported", "write the real secret here");
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

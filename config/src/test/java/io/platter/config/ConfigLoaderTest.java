package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("platter.yaml"), yaml);
    }

    private List<ConfigProblem> problems(String yaml) throws IOException {
        Path file = write(yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e).as("expected the file to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void loadsAFullFile() throws Exception {
        Path existing = Files.createFile(dir.resolve("existing.img"));
        Path file = write("""
                version: 1
                server:
                  portals:
                    - 0.0.0.0:3260
                    - "[::1]:3261"
                  data-dir: images
                  io-threads: 8
                targets:
                  - iqn: IQN.2026-11.io.platter:Demo
                    alias: demo disk
                    luns:
                      - id: 0
                        image: demo-lun0.img
                        size: 1G
                        format: raw
                        provisioning: thin
                      - id: 7
                        image: %s
                        provisioning: THICK
                  - iqn: eui.02004567A425678D
                """.formatted(existing));

        PlatterConfig config = ConfigLoader.load(file);

        Path images = dir.resolve("images").toAbsolutePath().normalize();
        assertThat(config).isEqualTo(new PlatterConfig(1,
                new ServerSettings(List.of(new Portal("0.0.0.0", 3260), new Portal("::1", 3261)), images, 8),
                List.of(
                        new TargetConfig("iqn.2026-11.io.platter:demo", "demo disk", List.of(
                                new LunConfig(0, images.resolve("demo-lun0.img"), 1L << 30,
                                        ImageFormat.RAW, Provisioning.THIN),
                                new LunConfig(7, existing, 0, ImageFormat.RAW, Provisioning.THICK))),
                        new TargetConfig("eui.02004567a425678d", null, List.of()))));
    }

    @Test
    void readsTheMetricsListenerAndTheLogLevel() throws Exception {
        Path file = write("""
                server:
                  metrics: 127.0.0.1:9470
                  log-level: Debug
                """);

        ServerSettings server = ConfigLoader.load(file).server();

        assertThat(server.metrics()).contains(new Portal("127.0.0.1", 9470));
        assertThat(server.logLevel()).contains(LogLevel.DEBUG);
    }

    @Test
    void metricsAndLogLevelAreOffByDefault() throws Exception {
        ServerSettings server = ConfigLoader.load(write("server:\n  io-threads: 2\n")).server();

        assertThat(server.metrics()).isEmpty();
        assertThat(server.logLevel()).isEmpty();
    }

    @Test
    void rejectsABadMetricsAddressAndAnUnknownLogLevel() throws Exception {
        List<ConfigProblem> problems = problems("""
                server:
                  metrics: "127.0.0.1:99999"
                  log-level: loud
                """);

        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
                .contains("server.metrics").contains("bad listen address"));
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
                .contains("server.log-level").contains("unknown level \"loud\""));
    }

    @Test
    void appliesDefaultsForOptionalKeys() throws Exception {
        Path file = write("""
                targets:
                  - iqn: iqn.2026-11.io.platter:t
                    luns:
                      - id: 3
                        image: /srv/lun3.img
                        size: 4096
                """);

        PlatterConfig config = ConfigLoader.load(file);

        assertThat(config.version()).isEqualTo(1);
        assertThat(config.server().portals()).containsExactly(new Portal("0.0.0.0", 3260));
        assertThat(config.server().dataDir()).isEqualTo(ServerSettings.DEFAULT_DATA_DIR);
        assertThat(config.server().ioThreads()).isZero();
        TargetConfig target = config.targets().get(0);
        assertThat(target.alias()).isNull();
        assertThat(target.luns()).containsExactly(
                new LunConfig(3, Path.of("/srv/lun3.img"), 4096, ImageFormat.RAW, Provisioning.THIN));
    }

    @Test
    void emptySectionsAreDefaults() throws Exception {
        PlatterConfig config = ConfigLoader.load(write("server:\ntargets:\n"));
        assertThat(config.server().portals()).containsExactly(Portal.anyIpv4());
        assertThat(config.targets()).isEmpty();
        assertThat(ConfigLoader.load(write("targets:\n  - iqn: iqn.2026-11.a.b\n    luns: []\n"))
                .targets().get(0).luns()).isEmpty();
    }

    @Test
    void anEmptyFileIsAnErrorNeverAnEmptySan() throws Exception {
        // Issue 15 item 9: a 0-byte or comment-only file was silently "migrated" into an empty SAN.
        for (String text : List.of("", "\n\n", "# nothing here yet\n# really\n", "---\n")) {
            Path file = write(text);
            assertThatThrownBy(() -> ConfigLoader.load(file)).as(text).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(file.toAbsolutePath() + " is empty");
            assertThat(file).as("left as it was").hasContent(text);
        }
    }

    @Test
    void reportsEveryProblemAtOnce() throws IOException {
        List<ConfigProblem> problems = problems("""
                server:
                  portals:
                    - 0.0.0.0:3260
                    - 10.0.0.1:99999
                  datadir: /tmp
                targets:
                  - iqn: iqn.bad
                    luns:
                      - id: 1
                        image: a.img
                        size: 12Q
                      - id: 1
                        size: 1G
                """);

        assertThat(problems).extracting(ConfigProblem::where).containsExactlyInAnyOrder(
                "server.portals[1]",
                "server.datadir",
                "targets[0].iqn",
                "targets[0].luns[0].size",
                "targets[0].luns[1].id",
                "targets[0].luns[1].image");
        assertThat(problems).filteredOn(p -> p.where().equals("targets[0].luns[0].size"))
                .singleElement().extracting(ConfigProblem::message)
                .asString().startsWith("\"12Q\" has an unknown unit \"Q\"");
        assertThat(problems).filteredOn(p -> p.where().equals("server.datadir"))
                .singleElement().extracting(ConfigProblem::message).asString()
                .contains("unknown key \"datadir\"", "did you mean \"data-dir\"");
        assertThat(problems).filteredOn(p -> p.where().equals("targets[0].luns[1].id"))
                .singleElement().extracting(ConfigProblem::message).asString()
                .contains("duplicate LUN id 1", "targets[0].luns[0]");
        assertThat(problems).filteredOn(p -> p.where().equals("targets[0].luns[1].image"))
                .singleElement().extracting(ConfigProblem::message).isEqualTo("missing (required)");
        assertThat(problems).filteredOn(p -> p.where().equals("server.portals[1]"))
                .singleElement().extracting(ConfigProblem::message).asString()
                .contains("\"10.0.0.1:99999\"", "1-65535");
    }

    @Test
    void exceptionMessageListsOneProblemPerLineWithTheFileName() throws IOException {
        Path file = write("""
                targets:
                  - iqn: iqn.2026-11.io.platter:x
                    luns:
                      - id: 0
                        image: a.img
                        size: 1G
                      - id: 1
                        image: b.img
                        size: 12Q
                version: 2
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.getMessage().lines()).containsExactly(
                "platter.yaml: version: unsupported version 2 (this Platter reads version 1)",
                "platter.yaml: targets[0].luns[1].size: \"12Q\" has an unknown unit \"Q\" (use K, M, G, T, P or KiB, MiB... for binary, KB, MB, GB, TB, PB for decimal units)");
        assertThat(e.file()).isEqualTo(file);
    }

    @Test
    void reportsWrongTypesAndBadWords() throws IOException {
        List<ConfigProblem> problems = problems("""
                version: one
                server:
                  io-threads: -1
                  portals:
                    - host: x
                targets:
                  - iqn: iqn.2026-11.io.platter:x
                    alias: yes
                    luns:
                      - id: 20000
                        image: a.img
                        size: 1000
                        format: vmdk
                        provisioning: fat
                      - id: 2
                        image: [a, b]
                        size: 1G
                        format: qcow2
                        provisioning: thick
                      - 5
                """);
        assertThat(problems).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "version: expected a whole number, got \"one\"",
                "server.portals[0]: expected a single value, not a mapping",
                "server.io-threads: must be 0-4096, got \"-1\"",
                "targets[0].alias: expected text, got a yes/no value; put the value in quotes",
                "targets[0].luns[0].id: must be 0-16383, got \"20000\"",
                "targets[0].luns[0].size: must be a multiple of 512 bytes, got \"1000\"",
                "targets[0].luns[0].format: unknown format \"vmdk\" (use raw or qcow2)",
                "targets[0].luns[0].provisioning: unknown provisioning \"fat\" (use thin or thick)",
                "targets[0].luns[1].image: expected a single value, not a list",
                "targets[0].luns[1].provisioning: qcow2 images are always thin (use raw for thick)",
                "targets[0].luns[2]: expected a mapping with keys id, image, size, format, provisioning, got \"5\"");
    }

    @Test
    void reportsDuplicatesAcrossTargetsPortalsAndImages() throws IOException {
        List<ConfigProblem> problems = problems("""
                server:
                  portals: ["0.0.0.0:3260", "0.0.0.0"]
                  data-dir: .
                targets:
                  - iqn: iqn.2026-11.io.platter:x
                    luns:
                      - {id: 0, image: a.img, size: 1M}
                  - iqn: IQN.2026-11.io.platter:X
                    luns:
                      - {id: 0, image: ./sub/../a.img, size: 1M}
                """);
        assertThat(problems).extracting(ConfigProblem::where).containsExactly(
                "server.portals[1]", "targets[1].iqn", "targets[1].luns[0].image");
        assertThat(problems.get(0).message()).isEqualTo("duplicate portal 0.0.0.0:3260 (also server.portals[0])");
        assertThat(problems.get(2).message()).contains("already used by targets[0].luns[0]");
    }

    @Test
    void sizeIsRequiredOnlyWhenTheImageMustBeCreated() throws IOException {
        Files.createFile(dir.resolve("there.img"));
        List<ConfigProblem> problems = problems("""
                server: {data-dir: .}
                targets:
                  - iqn: iqn.2026-11.io.platter:x
                    luns:
                      - {id: 0, image: there.img}
                      - {id: 1, image: not-there.img}
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("targets[0].luns[1].size");
            assertThat(p.message()).contains("not-there.img", "does not exist yet", "size is required");
        });
    }

    @Test
    void relativePathsResolveAgainstConfigDirThenDataDir() throws Exception {
        Path file = write("""
                server: {data-dir: ../data}
                targets:
                  - iqn: iqn.2026-11.io.platter:x
                    luns: [{id: 0, image: vol/a.img, size: 1G}]
                """);
        PlatterConfig config = ConfigLoader.load(file);
        Path data = dir.getParent().resolve("data").toAbsolutePath().normalize();
        assertThat(config.server().dataDir()).isEqualTo(data);
        assertThat(config.targets().get(0).luns().get(0).image()).isEqualTo(data.resolve("vol/a.img"));
    }

    @Test
    void syntaxErrorIsOneProblemWithAPosition() throws IOException {
        List<ConfigProblem> problems = problems("""
                server:
                  portals: [0.0.0.0:3260
                targets: []
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.where()).matches("line \\d+, column \\d+");
            assertThat(p.message()).startsWith("not valid YAML: ");
        });
    }

    @Test
    void unquotedIpv6PortalGetsAHint() throws IOException {
        List<ConfigProblem> problems = problems("server:\n  portals:\n    - [::1]:3260\n");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("line 3, column 8");
            assertThat(p.message()).contains("write IPv6 portals in quotes");
        });
    }

    @Test
    void duplicateYamlKeyIsReportedWithItsLine() throws IOException {
        List<ConfigProblem> problems = problems("version: 1\nversion: 1\n");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("line 2, column 1");
            assertThat(p.message()).contains("duplicate key version");
        });
    }

    @Test
    void wrongDocumentShapesAreExplained() throws IOException {
        assertThat(problems("- a\n- b\n")).singleElement().extracting(ConfigProblem::message).asString()
                .contains("must be a mapping", "not a list");
        assertThat(problems("server:\n  1: x\n")).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("line 2, column 3");
            assertThat(p.message()).contains("keys must be text");
        });
        assertThat(problems("server: 5\n")).singleElement().extracting(ConfigProblem::message).asString()
                .startsWith("expected a mapping with keys portals, portal-groups, data-dir, io-threads");
    }

    @Test
    void javaTypeTagsAreRefused() throws IOException {
        assertThat(problems("server: !!java.io.File x\n")).singleElement()
                .extracting(ConfigProblem::message).asString().contains("not valid YAML");
    }

    @Test
    void missingFileIsAClearProblem() {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.problems()).containsExactly(new ConfigProblem("", "file not found: " + file.toAbsolutePath()));
        assertThat(e.getMessage()).isEqualTo("absent.yaml: file not found: " + file.toAbsolutePath());
    }

    @Test
    void directoryAndNonUtf8AreClearProblems() throws IOException {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));
        assertThat(e.problems()).singleElement().extracting(ConfigProblem::message).asString()
                .startsWith("is a directory");
        Path latin1 = Files.write(dir.resolve("l1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(latin1));
        assertThat(e.problems()).singleElement().extracting(ConfigProblem::message).asString()
                .startsWith("not UTF-8 text");
    }
}

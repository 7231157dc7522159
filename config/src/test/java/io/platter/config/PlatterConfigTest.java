package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlatterConfigTest {

    @TempDir
    Path dir;

    @Test
    void embeddedDefaultIsTheDemoTarget() {
        PlatterConfig config = PlatterConfig.embeddedDefault(dir);
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.server().portals()).containsExactly(new Portal("0.0.0.0", 3260));
        assertThat(config.server().dataDir()).isEqualTo(dir.toAbsolutePath());
        assertThat(config.targets()).singleElement().satisfies(t -> {
            assertThat(t.iqn()).isEqualTo("iqn.2026-11.io.platter:demo");
            assertThat(t.alias()).isEqualTo("demo");
            assertThat(t.luns()).containsExactly(new LunConfig(0, dir.resolve("demo-lun0.img").toAbsolutePath(),
                    1L << 30, ImageFormat.RAW, Provisioning.THIN));
        });
    }

    @Test
    void embeddedDefaultPassesTheLoadersChecks() throws Exception {
        PlatterConfig expected = PlatterConfig.embeddedDefault(dir);
        assertThat(IscsiNames.problem(expected.targets().get(0).iqn())).isEmpty();
        // The same configuration written as a file must load back equal.
        Path file = Files.writeString(dir.resolve("platter.yaml"), """
                version: 1
                server:
                  portals: [%s]
                  data-dir: %s
                targets:
                  - iqn: %s
                    alias: demo
                    luns:
                      - {id: 0, image: demo-lun0.img, size: %s, format: raw, provisioning: thin}
                """.formatted(expected.server().portals().get(0), dir, PlatterConfig.DEMO_IQN,
                Sizes.format(expected.targets().get(0).luns().get(0).sizeBytes())));
        assertThat(ConfigLoader.load(file)).isEqualTo(expected);
    }

    @Test
    void relativeDataDirOfTheDefaultIsMadeAbsolute() {
        PlatterConfig config = PlatterConfig.embeddedDefault(Path.of("platter-data"));
        assertThat(config.server().dataDir()).isAbsolute().matches(p -> p.endsWith("platter-data"));
        assertThat(config.targets().get(0).luns().get(0).image()).isAbsolute();
    }

    @Test
    void overridesReplaceOnlyWhatTheyName() {
        PlatterConfig base = PlatterConfig.embeddedDefault(dir);
        List<Portal> portals = List.of(Portal.parse("127.0.0.1:13260"));
        PlatterConfig moved = base.withPortals(portals).withDataDir(dir.resolve("other"));
        assertThat(moved.server().portals()).isEqualTo(portals);
        assertThat(moved.server().dataDir()).isEqualTo(dir.resolve("other").toAbsolutePath());
        // LUN images keep their already-resolved paths.
        assertThat(moved.targets()).isEqualTo(base.targets());
        assertThat(base.server().portals()).containsExactly(Portal.anyIpv4());
    }

    @Test
    void recordsGuardTheirInvariants() {
        Path img = dir.resolve("x.img");
        assertThatThrownBy(() -> new LunConfig(16384, img, 0, ImageFormat.RAW, Provisioning.THIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LunConfig(0, img, 1000, ImageFormat.RAW, Provisioning.THIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerSettings(List.of(), dir, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TargetConfig("IQN.2026-11.A.B", null, List.of()).iqn()).isEqualTo("iqn.2026-11.a.b");
        assertThat(new LunConfig(0, img, 0, ImageFormat.RAW, Provisioning.THIN).hasSize()).isFalse();
    }

    @Test
    void enumWordsLookUpCaseInsensitively() {
        assertThat(ImageFormat.fromWord("QCOW2")).contains(ImageFormat.QCOW2);
        assertThat(Provisioning.fromWord(" thick ")).contains(Provisioning.THICK);
        assertThat(ImageFormat.fromWord("vmdk")).isEmpty();
        for (ImageFormat f : ImageFormat.values()) {
            assertThat(ImageFormat.fromWord(f.word())).contains(f);
        }
    }

    @Test
    void problemValuesAreQuotedAndEscaped() {
        assertThat(ConfigKey.SIZE.show("a\"b\n")).isEqualTo("\"a\\\"b\\u000a\"");
        assertThat(ConfigKey.SIZE.show("x".repeat(100))).hasSize(80 + 5);
    }
}

package io.platter.config.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.config.ChapCredentials;
import io.platter.config.ConfigException;
import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Provisioning;
import io.platter.config.TargetConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The file's declared objects and the catalog's: merge, clashes, what a change may touch. */
class LayersTest {

    private static final Path FILE = Path.of("/etc/platter/platter.yaml");
    private static final Path DATA = Path.of("/var/lib/platter");
    private static final String DECLARED = "iqn.2026-12.io.platter:declared";
    private static final String MADE = "iqn.2026-12.io.platter:made";

    private final FileCatalog catalog = FileCatalog.of(DATA);

    private static TargetConfig target(String iqn, int... luns) {
        return new TargetConfig(iqn, null, java.util.Arrays.stream(luns).mapToObj(id -> new LunConfig(id,
                DATA.resolve(iqn.substring(iqn.indexOf(':') + 1) + id + ".img"), 1 << 20, ImageFormat.RAW,
                Provisioning.THIN)).toList());
    }

    private PlatterConfig declared() {
        return catalog.empty().withTargets(List.of(target(DECLARED, 0)));
    }

    private PlatterConfig made() {
        return catalog.empty().withTargets(List.of(target(MADE, 0)));
    }

    @Test
    void theEffectiveConfigurationHasBothLayersAndSplitsBack() throws Exception {
        PlatterConfig effective = Layers.merge(declared(), FILE, made(), "catalog");
        assertThat(effective.targets()).extracting(TargetConfig::iqn).containsExactly(DECLARED, MADE);
        assertThat(Layers.catalogPart(declared(), effective, catalog.empty())).isEqualTo(made());
    }

    @Test
    void aNameInBothLayersIsAClashNamingBothPlaces() {
        PlatterConfig both = catalog.empty().withTargets(List.of(target(DECLARED, 1), target(MADE, 0)))
                .withDiscoveryChap(ChapCredentials.oneWay("d", "discovery-secret"));
        PlatterConfig file = declared().withDiscoveryChap(ChapCredentials.oneWay("e", "discovery-secret2"));
        assertThatThrownBy(() -> Layers.merge(file, FILE, both, "/var/lib/platter/catalog (generation 4)"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(2))
                .hasMessageContaining("target " + DECLARED + " is declared in " + FILE
                        + " and also in the catalog /var/lib/platter/catalog (generation 4)")
                .hasMessageContaining("discovery CHAP is declared");
    }

    @Test
    void changingOrRemovingADeclaredObjectIsRefusedWithWhatToDo() throws Exception {
        PlatterConfig effective = Layers.merge(declared(), FILE, made(), "catalog");
        PlatterConfig mapped = effective.withTargets(List.of(target(DECLARED, 0, 1), target(MADE, 0)));
        assertThat(Layers.declaredChanges(declared(), FILE, mapped)).singleElement().asString()
                .isEqualTo("target " + DECLARED + " is declared in " + FILE + ": edit the file and run `platter reload`");
        PlatterConfig removed = effective.withTargets(List.of(target(MADE, 0)));
        assertThat(Layers.declaredChanges(declared(), FILE, removed)).singleElement().asString()
                .contains("(this would remove it)");
        PlatterConfig catalogOnly = effective.withTargets(List.of(target(DECLARED, 0), target(MADE, 0, 1)));
        assertThat(Layers.declaredChanges(declared(), FILE, catalogOnly)).isEmpty();
    }
}

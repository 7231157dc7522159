package io.platter.server.manage;

import io.platter.config.PlatterConfig;
import io.platter.config.catalog.FileCatalog;
import io.platter.config.catalog.Layers;
import java.nio.file.Path;
import java.util.List;

/** Managed configurations for unit tests: the objects in the catalog of the data directory, or declared in a file. */
final class TestCatalogs {

    private TestCatalogs() {
    }

    /** {@code config}'s objects committed to the catalog of its data directory; no config file. */
    static ManagedConfig inCatalog(PlatterConfig config) throws Exception {
        FileCatalog catalog = FileCatalog.of(config.server().dataDir());
        PlatterConfig declared = config.withTargets(List.of()).withVolumes(List.of()).withDiscoveryChap(null);
        catalog.commit(catalog.load().number(), Layers.catalogPart(declared, config, catalog.empty()));
        return ManagedConfig.open(null, declared, catalog);
    }

    /** {@code config} as declared in {@code file} (which the test wrote), with an empty catalog. */
    static ManagedConfig declared(Path file, PlatterConfig config) throws Exception {
        return ManagedConfig.open(file, config, FileCatalog.of(config.server().dataDir()));
    }

    /** The objects of the newest catalog generation of {@code dataDir}. */
    static PlatterConfig saved(Path dataDir) throws Exception {
        return FileCatalog.of(dataDir).load().objects();
    }
}

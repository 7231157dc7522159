package io.platter.server.manage;

import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.config.catalog.Catalog;
import io.platter.server.Daemon;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the management API operates on: the running daemon's volumes, targets, access rules and pool. */
public record Services(Daemon daemon, ManagedConfig config, VolumeManager volumes, SnapshotManager snapshots,
                       CloneManager clones, TargetManager targets, AccessManager access, Pool pool, String version) {
    private static final Logger LOG = LoggerFactory.getLogger(Services.class);

    /** Wires the managers to a running daemon whose configuration lives in {@code config}. */
    public static Services of(Daemon daemon, ManagedConfig config, String version) {
        java.nio.file.Path dataDir = daemon.dataDir();
        // The volume label of the per-LUN metrics names the volume a LUN maps (when it is one).
        daemon.volumeNames(image -> config.volumeOfImage(image).map(io.platter.config.VolumeConfig::name));
        VolumeManager volumes = new VolumeManager(daemon, config, dataDir);
        return new Services(daemon, config, volumes, new SnapshotManager(volumes, config),
                new CloneManager(volumes, config, dataDir), new TargetManager(daemon, config, volumes),
                new AccessManager(daemon, config), new Pool(daemon, config, dataDir), version);
    }

    /** Export, backup, restore and generations of the catalog. */
    public CatalogAdmin catalog() {
        return new CatalogAdmin(config, targets);
    }

    public Views.Status status() {
        List<String> portals = daemon.addresses().stream()
                .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList();
        PlatterConfig c = config.get();
        return new Views.Status(version, portals, daemon.transport(), c.targets().size(),
                daemon.mappedLuns().size(), c.volumes().size(), daemon.sessions(null).size(), pool.status(),
                config.file().map(Path::toString).orElse(null), config.catalog().location(), config.generation(),
                OfflineReport.offline(daemon.mappedLuns()));
    }

    /**
     * Re-reads the config file (when the daemon has one) and the catalog, merges them and applies
     * the result as a diff. A failure is logged at ERROR and answered with every problem; the
     * running configuration then stays as it was (or, for LUNs that failed to map, as far as it got).
     * Removing a LUN or target sessions are logged in to is refused.
     */
    public Views.Done reload() {
        return reload(false);
    }

    /**
     * As {@link #reload()}; removing a LUN or target sessions are logged in to needs {@code force}.
     * Every offline LUN is tried again (its image may have been fixed).
     */
    public Views.Done reload(boolean force) {
        try {
            return reloadLayers(force);
        } catch (ManagementException e) {
            LOG.error("reload failed: {}", e.getMessage());
            throw e;
        }
    }

    private Views.Done reloadLayers(boolean force) {
        synchronized (config) {
            PlatterConfig declared = config.declared();
            Path file = config.file().orElse(null);
            if (file != null) {
                try {
                    declared = ConfigLoader.load(file, w -> LOG.warn("{}: {}", file.getFileName(), w));
                } catch (ConfigException e) {
                    throw ManagementException.badRequest("the config file has problems, nothing was changed: "
                            + e.getMessage().replace('\n', ' '));
                }
            }
            Catalog.Generation loaded;
            try {
                loaded = config.catalog().load();
            } catch (IOException e) {
                throw ManagementException.failed("cannot read the catalog " + config.catalog().location() + ": "
                        + e.getMessage() + "; nothing was changed");
            }
            PlatterConfig merged;
            try {
                merged = io.platter.config.catalog.Layers.merge(declared, file, loaded.objects(),
                        config.catalog().location() + " (generation " + loaded.number() + ")");
            } catch (ConfigException e) {
                throw ManagementException.badRequest("the config file and the catalog clash, nothing was changed: "
                        + e.getMessage().replace('\n', ' '));
            }
            try {
                return OfflineReport.after(targets.reload(merged, force), daemon.retryOffline(),
                        daemon.mappedLuns());
            } finally {
                // The layers follow what was applied: TargetManager.reload made the merge current
                // (also when some LUNs failed to map), unless it refused before changing anything.
                if (config.get().equals(merged)) {
                    try {
                        config.adopt(declared, loaded);
                    } catch (ConfigException impossible) {
                        throw new IllegalStateException("merged once, must merge again", impossible);
                    }
                }
            }
        }
    }
}

package io.platter.server.manage;

import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.server.Daemon;
import java.nio.file.Files;
import java.util.List;

/** What the management API operates on: the running daemon's volumes, targets, access rules and pool. */
public record Services(Daemon daemon, ManagedConfig config, VolumeManager volumes, SnapshotManager snapshots,
                       CloneManager clones, TargetManager targets, AccessManager access, Pool pool, String version) {

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

    public Views.Status status() {
        List<String> portals = daemon.addresses().stream()
                .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList();
        PlatterConfig c = config.get();
        return new Views.Status(version, portals, daemon.transport(), c.targets().size(),
                daemon.mappedLuns().size(), c.volumes().size(), daemon.sessions(null).size(), pool.status(),
                config.file().toString(), OfflineReport.offline(daemon.mappedLuns()));
    }

    /** Re-reads the config file and applies it as a diff; refused when it would remove a LUN in use. */
    public Views.Done reload() {
        return reload(false);
    }

    /**
     * Re-reads the config file and applies it as a diff; removing a LUN or target sessions are
     * logged in to needs {@code force}.
     */
    public Views.Done reload(boolean force) {
        if (!Files.exists(config.file())) {
            throw ManagementException.notFound("no config file " + config.file() + " to reload");
        }
        PlatterConfig fresh;
        try {
            fresh = ConfigLoader.load(config.file());
        } catch (ConfigException e) {
            throw ManagementException.badRequest("the config file has problems, nothing was changed: "
                    + e.getMessage().replace('\n', ' '));
        }
        return OfflineReport.after(targets.reload(fresh, force), daemon.retryOffline(), daemon.mappedLuns());
    }
}

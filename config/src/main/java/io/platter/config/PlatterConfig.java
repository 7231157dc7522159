package io.platter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The whole daemon configuration, as read by {@link ConfigLoader} or built by
 * {@link #embeddedDefault(Path)}. Immutable; the {@code with…} methods return changed copies.
 *
 * @param version file format version, currently always {@value #CURRENT_VERSION}
 * @param server  daemon-wide settings
 * @param targets targets in file order, names unique
 * @param volumes volumes managed through the API, names unique
 * @param snapshotGroups snapshots taken of several volumes at one instant, (group, snapshot) unique
 */
public record PlatterConfig(int version, ServerSettings server, List<TargetConfig> targets,
                            List<VolumeConfig> volumes, List<SnapshotGroup> snapshotGroups) {

    /** The only file format version this code reads. */
    public static final int CURRENT_VERSION = 1;
    /** Name of the target in the embedded default. */
    public static final String DEMO_IQN = "iqn.2026-11.io.platter:demo";

    public PlatterConfig {
        Objects.requireNonNull(server, "server");
        targets = List.copyOf(targets);
        volumes = List.copyOf(volumes);
        snapshotGroups = List.copyOf(snapshotGroups);
    }

    /** A configuration without snapshot groups. */
    public PlatterConfig(int version, ServerSettings server, List<TargetConfig> targets, List<VolumeConfig> volumes) {
        this(version, server, targets, volumes, List.of());
    }

    /** A configuration without managed volumes. */
    public PlatterConfig(int version, ServerSettings server, List<TargetConfig> targets) {
        this(version, server, targets, List.of());
    }

    /**
     * The configuration {@code platter serve} runs without a file: 0.0.0.0:3260, target
     * {@value #DEMO_IQN} (alias {@code demo}) with LUN 0 = {@code <dataDir>/demo-lun0.img}, 1 GiB, raw, thin.
     */
    public static PlatterConfig embeddedDefault(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        LunConfig lun0 = new LunConfig(0, dir.resolve("demo-lun0.img"), 1L << 30, ImageFormat.RAW, Provisioning.THIN);
        return new PlatterConfig(CURRENT_VERSION,
                new ServerSettings(ServerSettings.defaultPortals(), dir, 0),
                List.of(new TargetConfig(DEMO_IQN, "demo", List.of(lun0))));
    }

    /** This configuration listening on {@code portals} instead (CLI {@code --portal}). */
    public PlatterConfig withPortals(List<Portal> portals) {
        return new PlatterConfig(version, server.withPortals(portals), targets, volumes, snapshotGroups);
    }

    /**
     * This configuration with another data directory (CLI {@code --data-dir}). Only
     * {@link ServerSettings#dataDir()} changes: LUN images were resolved to absolute paths when the
     * file was loaded and keep pointing where they did.
     */
    public PlatterConfig withDataDir(Path dataDir) {
        return new PlatterConfig(version, server.withDataDir(dataDir), targets, volumes, snapshotGroups);
    }

    /** This configuration with the Prometheus exporter on {@code portal}. */
    public PlatterConfig withMetrics(Portal portal) {
        return new PlatterConfig(version, server.withMetrics(portal), targets, volumes, snapshotGroups);
    }

    /** This configuration with discovery sessions authenticated by {@code chap} (null for none). */
    public PlatterConfig withDiscoveryChap(ChapCredentials chap) {
        return new PlatterConfig(version, server.withDiscoveryChap(chap), targets, volumes, snapshotGroups);
    }

    /** This configuration with {@code newTargets} instead. */
    public PlatterConfig withTargets(List<TargetConfig> newTargets) {
        return new PlatterConfig(version, server, newTargets, volumes, snapshotGroups);
    }

    /** This configuration with {@code newVolumes} instead. */
    public PlatterConfig withVolumes(List<VolumeConfig> newVolumes) {
        return new PlatterConfig(version, server, targets, newVolumes, snapshotGroups);
    }

    /** This configuration with {@code groups} as its snapshot groups instead. */
    public PlatterConfig withSnapshotGroups(List<SnapshotGroup> groups) {
        return new PlatterConfig(version, server, targets, volumes, groups);
    }

    /** This configuration with the management API on {@code portal}. */
    public PlatterConfig withManagement(Portal portal) {
        return new PlatterConfig(version, server.withManagement(portal), targets, volumes, snapshotGroups);
    }

    /** The target named {@code iqn} (compared as normalized names), if configured. */
    public java.util.Optional<TargetConfig> target(String iqn) {
        String n = IscsiNames.normalize(iqn);
        return targets.stream().filter(t -> t.iqn().equals(n)).findFirst();
    }

    /** Snapshot {@code snapshot} of group {@code group}, if recorded. */
    public java.util.Optional<SnapshotGroup> snapshotGroup(String group, String snapshot) {
        return snapshotGroups.stream().filter(g -> g.is(group, snapshot)).findFirst();
    }

    /** The volume named {@code name}, if configured. */
    public java.util.Optional<VolumeConfig> volume(String name) {
        return volumes.stream().filter(v -> v.name().equals(name)).findFirst();
    }
}

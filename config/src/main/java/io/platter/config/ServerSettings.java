package io.platter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Daemon-wide settings.
 *
 * @param portalGroups the portal groups, at least one, tags and portals unique; {@code server.portals}
 *                  is group {@value PortalGroup#DEFAULT_TAG}
 * @param dataDir   where relative LUN images live, absolute and normalized
 * @param ioThreads size of the block I/O executor, 0 = chosen automatically
 * @param discoveryChap CHAP credentials a discovery session must prove, or {@code null} for none
 * @param metrics   where the Prometheus exporter listens; empty = no exporter
 * @param logLevel  the root log level; empty = the command line's (default INFO)
 * @param management where the management API listens; empty = 127.0.0.1 on a port chosen at start
 * @param thinThresholdPercent used share of the data directory's file system at which the thin
 *                  pool warns (THIN PROVISIONING SOFT THRESHOLD REACHED), 1-100
 */
public record ServerSettings(List<PortalGroup> portalGroups, Path dataDir, int ioThreads,
                             ChapCredentials discoveryChap, Optional<Portal> metrics, Optional<LogLevel> logLevel,
                             Optional<Portal> management, int thinThresholdPercent) {

    /** The soft threshold of the thin pool when the file names none. */
    public static final int DEFAULT_THIN_THRESHOLD = 80;

    /** The data directory used when the file names none. */
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/platter");

    public ServerSettings {
        portalGroups = List.copyOf(portalGroups);
        if (portalGroups.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is needed");
        }
        if (portalGroups.stream().map(PortalGroup::tag).distinct().count() != portalGroups.size()) {
            throw new IllegalArgumentException("duplicate portal group tag");
        }
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, got " + ioThreads);
        }
        metrics = Objects.requireNonNull(metrics, "metrics");
        logLevel = Objects.requireNonNull(logLevel, "logLevel");
        management = Objects.requireNonNull(management, "management");
        if (thinThresholdPercent < 1 || thinThresholdPercent > 100) {
            throw new IllegalArgumentException("thin threshold must be 1-100 %, got " + thinThresholdPercent);
        }
    }

    /** Settings with the default management endpoint and thin threshold. */
    public ServerSettings(List<PortalGroup> portalGroups, Path dataDir, int ioThreads, ChapCredentials discoveryChap,
                          Optional<Portal> metrics, Optional<LogLevel> logLevel) {
        this(portalGroups, dataDir, ioThreads, discoveryChap, metrics, logLevel, Optional.empty(),
                DEFAULT_THIN_THRESHOLD);
    }

    /** Settings with one portal group, without discovery authentication, metrics listener or log level. */
    public ServerSettings(List<Portal> portals, Path dataDir, int ioThreads) {
        this(defaultGroup(portals), dataDir, ioThreads, null, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_THIN_THRESHOLD);
    }

    /** Every portal of every group, in group order. */
    public List<Portal> portals() {
        return portalGroups.stream().flatMap(g -> g.portals().stream()).toList();
    }

    private static List<PortalGroup> defaultGroup(List<Portal> portals) {
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is needed");
        }
        return List.of(new PortalGroup(PortalGroup.DEFAULT_TAG, portals));
    }

    /** The default portal list, {@code [0.0.0.0:3260]}. */
    public static List<Portal> defaultPortals() {
        return List.of(Portal.anyIpv4());
    }

    /**
     * These settings with {@code newPortals} as portal group 1 (what {@code server.portals} means);
     * the other groups stay, less any portal now in group 1.
     */
    public ServerSettings withPortals(List<Portal> newPortals) {
        List<PortalGroup> groups = new java.util.ArrayList<>(defaultGroup(newPortals));
        for (PortalGroup g : portalGroups) {
            List<Portal> rest = g.portals().stream().filter(p -> !newPortals.contains(p)).toList();
            if (g.tag() != PortalGroup.DEFAULT_TAG && !rest.isEmpty()) {
                groups.add(new PortalGroup(g.tag(), rest));
            }
        }
        return new ServerSettings(groups, dataDir, ioThreads, discoveryChap, metrics, logLevel, management,
                thinThresholdPercent);
    }

    /** These settings with {@code newDataDir} (made absolute against the working directory). */
    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(portalGroups, newDataDir, ioThreads, discoveryChap, metrics, logLevel, management,
                thinThresholdPercent);
    }

    /** These settings with the metrics exporter on {@code portal}. */
    public ServerSettings withMetrics(Portal portal) {
        return new ServerSettings(portalGroups, dataDir, ioThreads, discoveryChap, Optional.of(portal), logLevel,
                management, thinThresholdPercent);
    }

    /** These settings with discovery sessions authenticated by {@code chap} (null for none). */
    public ServerSettings withDiscoveryChap(ChapCredentials chap) {
        return new ServerSettings(portalGroups, dataDir, ioThreads, chap, metrics, logLevel, management,
                thinThresholdPercent);
    }

    /** These settings with the management API on {@code portal}. */
    public ServerSettings withManagement(Portal portal) {
        return new ServerSettings(portalGroups, dataDir, ioThreads, discoveryChap, metrics, logLevel,
                Optional.of(portal), thinThresholdPercent);
    }
}

package io.platter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Daemon-wide settings.
 *
 * @param portals   where to listen, at least one, no duplicates expected
 * @param dataDir   where relative LUN images live, absolute and normalized
 * @param ioThreads size of the block I/O executor, 0 = chosen automatically
 * @param discoveryChap CHAP credentials a discovery session must prove, or {@code null} for none
 * @param metrics   where the Prometheus exporter listens; empty = no exporter
 * @param logLevel  the root log level; empty = the command line's (default INFO)
 */
public record ServerSettings(List<Portal> portals, Path dataDir, int ioThreads, ChapCredentials discoveryChap,
                             Optional<Portal> metrics, Optional<LogLevel> logLevel) {

    /** The data directory used when the file names none. */
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/platter");

    public ServerSettings {
        portals = List.copyOf(portals);
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal is needed");
        }
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0, got " + ioThreads);
        }
        metrics = Objects.requireNonNull(metrics, "metrics");
        logLevel = Objects.requireNonNull(logLevel, "logLevel");
    }

    /** Settings without discovery authentication, metrics listener or log level. */
    public ServerSettings(List<Portal> portals, Path dataDir, int ioThreads) {
        this(portals, dataDir, ioThreads, null, Optional.empty(), Optional.empty());
    }

    /** The default portal list, {@code [0.0.0.0:3260]}. */
    public static List<Portal> defaultPortals() {
        return List.of(Portal.anyIpv4());
    }

    /** These settings listening on {@code newPortals} instead. */
    public ServerSettings withPortals(List<Portal> newPortals) {
        return new ServerSettings(newPortals, dataDir, ioThreads, discoveryChap, metrics, logLevel);
    }

    /** These settings with {@code newDataDir} (made absolute against the working directory). */
    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(portals, newDataDir, ioThreads, discoveryChap, metrics, logLevel);
    }

    /** These settings with the metrics exporter on {@code portal}. */
    public ServerSettings withMetrics(Portal portal) {
        return new ServerSettings(portals, dataDir, ioThreads, discoveryChap, Optional.of(portal), logLevel);
    }
}

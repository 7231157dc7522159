package io.platter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Daemon-wide settings.
 *
 * @param portals   where to listen, at least one, no duplicates expected
 * @param dataDir   where relative LUN images live, absolute and normalized
 * @param ioThreads size of the block I/O executor, 0 = chosen automatically
 * @param discoveryChap CHAP credentials a discovery session must prove, or {@code null} for none
 */
public record ServerSettings(List<Portal> portals, Path dataDir, int ioThreads, ChapCredentials discoveryChap) {

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
    }

    /** Settings without discovery authentication. */
    public ServerSettings(List<Portal> portals, Path dataDir, int ioThreads) {
        this(portals, dataDir, ioThreads, null);
    }

    /** The default portal list, {@code [0.0.0.0:3260]}. */
    public static List<Portal> defaultPortals() {
        return List.of(Portal.anyIpv4());
    }

    /** These settings listening on {@code newPortals} instead. */
    public ServerSettings withPortals(List<Portal> newPortals) {
        return new ServerSettings(newPortals, dataDir, ioThreads, discoveryChap);
    }

    /** These settings with {@code newDataDir} (made absolute against the working directory). */
    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(portals, newDataDir, ioThreads, discoveryChap);
    }
}

package io.platter.server.manage;

import io.platter.config.LunConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.lun.HostFile;
import io.platter.lun.ImageLock;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin pool: the file system holding the data directory. Tracks provisioned (sum of image
 * sizes) against physical space and warns once when the used share crosses the soft threshold:
 * a log line and THIN PROVISIONING SOFT THRESHOLD REACHED (SBC-4 §4.7.3.7) on every I_T nexus
 * of every thin LUN. The warning re-arms when usage drops below the threshold again.
 */
public final class Pool {
    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);
    private static final List<String> IMAGE_SUFFIXES = List.of(".img", ".qcow2", ".raw");

    private final Daemon daemon;
    private final ManagedConfig config;
    private final Path dataDir;
    /** Whether the threshold was reached at the last check; guarded by {@code this}. */
    private boolean above;

    public Pool(Daemon daemon, ManagedConfig config, Path dataDir) {
        this.daemon = daemon;
        this.config = config;
        this.dataDir = dataDir;
    }

    /** The pool now. */
    public Views.Pool status() {
        Map<Path, Long> sizes = new LinkedHashMap<>();
        synchronized (config) {
            for (TargetConfig t : config.get().targets()) {
                for (LunConfig l : t.luns()) {
                    sizes.put(l.image(), size(l.image()));
                }
            }
            for (VolumeConfig v : config.get().volumes()) {
                sizes.putIfAbsent(v.image(), size(v.image()));
            }
        }
        long provisioned = sizes.values().stream().mapToLong(Long::longValue).sum();
        long allocated = sizes.keySet().stream().mapToLong(Pool::allocatedBytes).sum();
        int threshold = config.get().server().thinThresholdPercent();
        try {
            FileStore store = Files.getFileStore(dataDir);
            long total = store.getTotalSpace();
            long free = store.getUsableSpace();
            long used = total - store.getUnallocatedSpace();
            return new Views.Pool(dataDir.toString(), total, used, free, provisioned, allocated,
                    total == 0 ? 0 : (double) provisioned / total, threshold, total > 0 && used * 100 >= threshold * total);
        } catch (IOException e) {
            throw ManagementException.failed("cannot read the file system of " + dataDir + ": " + e.getMessage());
        }
    }

    private long size(Path image) {
        MappedLun live = daemon.mappedImage(image);
        if (live != null) {
            return live.device().size();
        }
        try {
            return Files.size(image);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Space a file takes on its file system (st_blocks), 0 when it cannot be read. */
    static long allocatedBytes(Path file) {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        // No image lock: fstat reads no image data, and the image may be served (locked) right now.
        try (HostFile host = HostFile.open(file, true, true, ImageLock.Mode.NONE)) {
            return host.allocatedBytes(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Logs every image in the data directory that no LUN or volume of the configuration names: the
     * leftover of a create or delete the daemon died in (an image is made before the config names
     * it and deleted after the config stops naming it). Leftovers are reported, never deleted.
     * Returns their names.
     */
    public List<String> reportLeftovers() {
        Set<Path> known = new HashSet<>();
        synchronized (config) {
            config.get().targets().forEach(t -> t.luns().forEach(l -> known.add(l.image().toAbsolutePath().normalize())));
            config.get().volumes().forEach(v -> known.add(v.image().toAbsolutePath().normalize()));
        }
        List<String> leftovers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dataDir)) {
            files.filter(Files::isRegularFile)
                    .filter(f -> IMAGE_SUFFIXES.stream().anyMatch(x -> f.getFileName().toString().endsWith(x)))
                    .filter(f -> !known.contains(f.toAbsolutePath().normalize()))
                    .sorted()
                    .forEach(f -> leftovers.add(f.getFileName().toString()));
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dataDir, e.getMessage());
        }
        for (String name : leftovers) {
            LOG.warn("{} in {} is no LUN or volume of the configuration (left over from an interrupted create"
                    + " or delete?); it is not served: import, move or delete it", name, dataDir);
        }
        return leftovers;
    }

    /** Checks the threshold; on crossing it, warns and raises the unit attention on every thin LUN. */
    public synchronized void check() {
        Views.Pool p;
        try {
            p = status();
        } catch (RuntimeException e) {
            LOG.debug("thin pool check failed: {}", e.getMessage());
            return;
        }
        if (p.thresholdReached() && !above) {
            LOG.warn("thin pool {} is {}% full, at or above the soft threshold of {}%; over-provisioning {}",
                    dataDir, p.totalBytes() == 0 ? 0 : p.usedBytes() * 100 / p.totalBytes(), p.thresholdPercent(),
                    String.format("%.2f", p.overProvisioning()));
            for (MappedLun m : daemon.mappedLuns()) {
                m.unit().thinPoolThresholdReached(); // a thin unit raises the unit attention
            }
        } else if (!p.thresholdReached() && above) {
            LOG.info("thin pool {} is below the soft threshold of {}% again", dataDir, p.thresholdPercent());
        }
        above = p.thresholdReached();
    }
}

package io.platter.server.metrics;

import io.platter.lun.BlockDevice;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Thin-pool accounting as Prometheus gauges, computed at scrape time: the data directory's file
 * system (size, used, available), what the LUNs promise (provisioned, the sum of their sizes),
 * what their images hold (allocated) and the over-provisioning ratio, plus the same per LUN.
 * Scrapes run on the metrics listener's threads; {@link BlockDevice#allocatedBytes()} may make a
 * system call there, never on an event loop. Names are documented in docs/metrics.md.
 */
public final class PoolMetrics {

    /**
     * One exported LUN and its device.
     *
     * @param target the target IQN
     * @param lun    the LUN number
     * @param volume the volume it serves (the {@code volume} label)
     * @param device its device; read only for its size and allocation
     * @param offline whether the LUN is offline (its image could not be opened; it answers NOT READY)
     */
    public record Volume(String target, int lun, String volume, BlockDevice device, boolean offline) {

        /** A LUN that has its medium. */
        public Volume(String target, int lun, String volume, BlockDevice device) {
            this(target, lun, volume, device, false);
        }
    }

    private final Path dataDir;
    private final java.util.function.Supplier<List<Volume>> volumes;

    /** The soft threshold in percent of the file system (80 unless configured). */
    private int thresholdPercent = 80;

    private PoolMetrics(Path dataDir, java.util.function.Supplier<List<Volume>> volumes) {
        this.dataDir = dataDir;
        this.volumes = volumes;
    }

    /** Registers the pool gauges for the LUNs in {@code volumes}, whose images live in {@code dataDir}. */
    public static PoolMetrics register(PrometheusRegistry registry, Path dataDir, List<Volume> volumes) {
        List<Volume> fixed = List.copyOf(volumes);
        return register(registry, dataDir, () -> fixed);
    }

    /** Registers the pool gauges for the LUNs {@code volumes} lists at each scrape (LUNs come and go live). */
    public static PoolMetrics register(PrometheusRegistry registry, Path dataDir,
                                       java.util.function.Supplier<List<Volume>> volumes) {
        return register(registry, dataDir, volumes, 80);
    }

    /** As above, with the soft threshold of the pool in percent. */
    public static PoolMetrics register(PrometheusRegistry registry, Path dataDir,
                                       java.util.function.Supplier<List<Volume>> volumes, int thresholdPercent) {
        PoolMetrics pool = new PoolMetrics(dataDir, volumes);
        pool.thresholdPercent = thresholdPercent;
        bytes(registry, "platter_pool_filesystem_size_bytes",
                "Size of the file system holding the data directory", pool, FileStore::getTotalSpace);
        bytes(registry, "platter_pool_filesystem_used_bytes",
                "Bytes in use on the data directory's file system (size minus free, as df counts)", pool,
                fs -> fs.getTotalSpace() - fs.getUnallocatedSpace());
        bytes(registry, "platter_pool_filesystem_available_bytes",
                "Bytes still available to Platter on the data directory's file system", pool,
                FileStore::getUsableSpace);
        GaugeWithCallback.builder().name("platter_pool_provisioned_bytes")
                .help("Sum of the sizes of all exported LUNs (what the initiators were promised)")
                .unit(Unit.BYTES).callback(cb -> cb.call(pool.provisioned())).register(registry);
        GaugeWithCallback.builder().name("platter_pool_allocated_bytes")
                .help("Sum of the storage allocated to the images of all exported LUNs")
                .unit(Unit.BYTES).callback(cb -> cb.call(pool.allocated())).register(registry);
        GaugeWithCallback.builder().name("platter_pool_overprovisioning_ratio")
                .help("Provisioned bytes divided by the size of the data directory's file system")
                .callback(cb -> {
                    long size = pool.fileSystem(FileStore::getTotalSpace);
                    if (size > 0) {
                        cb.call((double) pool.provisioned() / size);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("platter_pool_soft_threshold_ratio")
                .help("The thin pool's soft threshold as a share of the file system (server.thin-threshold)")
                .callback(cb -> cb.call(pool.thresholdPercent / 100.0)).register(registry);
        GaugeWithCallback.builder().name("platter_pool_soft_threshold_reached")
                .help("1 while the data directory's file system is at or above the soft threshold, else 0")
                .callback(cb -> {
                    long size = pool.fileSystem(FileStore::getTotalSpace);
                    long used = pool.fileSystem(fs -> fs.getTotalSpace() - fs.getUnallocatedSpace());
                    if (size > 0 && used >= 0) {
                        cb.call(used * 100 >= (long) pool.thresholdPercent * size ? 1 : 0);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("platter_lun_size_bytes")
                .help("Size of the LUN as the initiator sees it").labelNames("target", "lun", "volume").unit(Unit.BYTES)
                .callback(cb -> pool.volumes.get().forEach(v ->
                        cb.call(v.device().size(), v.target(), Integer.toString(v.lun()), v.volume())))
                .register(registry);
        GaugeWithCallback.builder().name("platter_lun_allocated_bytes")
                .help("Storage allocated to the LUN's image").labelNames("target", "lun", "volume").unit(Unit.BYTES)
                .callback(cb -> pool.volumes.get().forEach(v ->
                        cb.call(v.device().allocatedBytes(), v.target(), Integer.toString(v.lun()), v.volume())))
                .register(registry);
        GaugeWithCallback.builder().name("platter_lun_offline")
                .help("1 while the LUN is offline (its image cannot be opened; it answers NOT READY), else 0")
                .labelNames("target", "lun", "volume")
                .callback(cb -> pool.volumes.get().forEach(v ->
                        cb.call(v.offline() ? 1 : 0, v.target(), Integer.toString(v.lun()), v.volume())))
                .register(registry);
        GaugeWithCallback.builder().name("platter_lun_snapshots")
                .help("Internal snapshots held in the LUN's qcow2 image (0 for raw images)")
                .labelNames("target", "lun", "volume")
                .callback(cb -> pool.volumes.get().forEach(v -> cb.call(
                        io.platter.lun.image.ImageDrivers.snapshots(v.device()).map(s -> s.snapshots().size()).orElse(0),
                        v.target(), Integer.toString(v.lun()), v.volume())))
                .register(registry);
        return pool;
    }

    private static void bytes(PrometheusRegistry registry, String name, String help, PoolMetrics pool,
            FileStoreValue value) {
        GaugeWithCallback.builder().name(name).help(help).unit(Unit.BYTES).callback(cb -> {
            long v = pool.fileSystem(value);
            if (v >= 0) {
                cb.call(v);
            }
        }).register(registry);
    }

    /** Sum of the LUN sizes. */
    long provisioned() {
        return sum(BlockDevice::size);
    }

    /** Sum of the images' allocations. */
    long allocated() {
        return sum(BlockDevice::allocatedBytes);
    }

    private long sum(ToLongFunction<BlockDevice> f) {
        long total = 0;
        for (Volume v : volumes.get()) {
            total += f.applyAsLong(v.device());
        }
        return total;
    }

    /** A value of the data directory's file store, or -1 if it cannot be read (the sample is left out). */
    long fileSystem(FileStoreValue value) {
        try {
            FileStore store = Files.getFileStore(dataDir);
            return value.of(store);
        } catch (IOException e) {
            return -1;
        }
    }

    /** A number read from a {@link FileStore}. */
    @FunctionalInterface
    interface FileStoreValue {
        long of(FileStore store) throws IOException;
    }
}

package io.platter.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.config.ChapCredentials;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.session.ExportedTarget;
import io.platter.iscsi.session.IscsiMetrics;
import io.platter.iscsi.session.ServerLimits;
import io.platter.iscsi.session.TargetRegistry;
import io.platter.lun.BlockDevice;
import io.platter.lun.ImageIdentity;
import io.platter.lun.image.CreateOptions;
import io.platter.lun.image.ImageDriver;
import io.platter.lun.qcow2.BackingPolicy;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.ScsiTarget;
import io.platter.server.metrics.MetricsServer;
import io.platter.server.metrics.PoolMetrics;
import io.platter.server.metrics.PrometheusMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.platter.scsi.mode.FileModeStore;
import io.platter.scsi.reservation.FileReservationStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import io.platter.iscsi.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running target: opens (or creates) every configured image, builds the SCSI targets and
 * starts the iSCSI server on the configured portals. All or nothing: if anything fails to
 * start, what was opened is closed again.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** The portal group a target record starts in; each connection moves it to the group it arrived through. */
    static final int PORTAL_GROUP_TAG = 1;
    /** How long initiators get to log out when the daemon stops (Parameter3 of the Async Message). */
    static final Duration LOGOUT_GRACE = Duration.ofSeconds(5);

    private final ExecutorService ioExecutor;
    /** Mapped LUNs by image file; guarded by {@code this}. */
    private final Map<Path, MappedLun> mapped = new LinkedHashMap<>();
    private final TargetRegistry registry = new TargetRegistry(List.of());
    private IscsiServer server;
    private MetricsServer metricsServer;
    private List<InetSocketAddress> addresses = List.of();
    private Path dataDir;
    /** Held from before the first image opens until after the last one closed. */
    private DataDirLock dataDirLock;

    private Daemon(int ioThreads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "platter-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ioExecutor = Executors.newFixedThreadPool(ioThreads, threads);
    }

    /** Starts a daemon for {@code config}; on failure nothing stays open. */
    public static Daemon start(PlatterConfig config) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        int ioThreads = config.server().ioThreads() > 0 ? config.server().ioThreads() : Math.max(4, 2 * cores);
        Daemon daemon = new Daemon(ioThreads);
        try {
            daemon.open(config);
            return daemon;
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void open(PlatterConfig config) throws IOException {
        dataDir = config.server().dataDir();
        io.platter.lun.PrivateFiles.createDirectories(dataDir);   // 0700 when new, whatever the umask
        dataDirLock = DataDirLock.acquire(dataDir); // one daemon per data directory, before any image
        for (TargetConfig t : config.targets()) {
            addTarget(t);
            for (LunConfig lun : t.luns()) {
                mapLun(t.iqn(), lun);
            }
        }
        IscsiMetrics metrics = IscsiMetrics.NONE;
        if (config.server().metrics().isPresent()) {
            PrometheusMetrics prometheus = new PrometheusMetrics();
            JvmMetrics.builder().register(prometheus.registry());
            PoolMetrics.register(prometheus.registry(), config.server().dataDir(), this::poolVolumes,
                    config.server().thinThresholdPercent());
            metricsServer = MetricsServer.start(config.server().metrics().get(), prometheus.registry());
            LOG.info("metrics on http://{}:{}/metrics", config.server().metrics().get().host(),
                    metricsServer.address().getPort());
            metrics = prometheus;
        }
        server = new IscsiServer(registry, ServerLimits.defaults(), 0,
                LoginSecurity.withDiscoveryChap(config.server().discoveryChap()), metrics);
        addresses = server.bindGroups(config.server().portalGroups());
    }

    private synchronized List<PoolMetrics.Volume> poolVolumes() {
        return mapped.values().stream().map(m -> new PoolMetrics.Volume(m.iqn(), m.lun(), m.device())).toList();
    }

    /** Exports a new target without LUNs (they are mapped with {@link #mapLun}). */
    public synchronized void addTarget(TargetConfig t) {
        ScsiTarget scsi = new ScsiTarget(t.iqn(), PooledByteBufAllocator.DEFAULT);
        registry.add(new ExportedTarget(t.iqn(), t.alias(), PORTAL_GROUP_TAG, scsi, t.chap(), t.acl()));
        LOG.info("target {}: {}", t.iqn(), access(t));
    }

    /**
     * Exports {@code t}'s alias, CHAP credentials and ACL in place of the target's current ones,
     * keeping its LUNs and sessions: later logins are checked against the new values, sessions
     * logged in already stay (an initiator taken off the ACL keeps its session until it logs out).
     *
     * @return whether the target existed
     */
    public synchronized boolean reconfigureTarget(TargetConfig t) {
        ExportedTarget old = registry.find(t.iqn());
        if (old == null) {
            return false;
        }
        registry.replace(new ExportedTarget(old.name(), t.alias(), old.portalGroupTag(), old.scsi(), t.chap(), t.acl()));
        LOG.info("target {}: now {}", t.iqn(), access(t));
        return true;
    }

    /** Authenticates later discovery logins with {@code chap} (null for none). */
    public synchronized void discoveryChap(ChapCredentials chap) {
        if (server != null) {
            server.discoveryChap(chap);
        }
        LOG.info("discovery: {}", chap == null ? "no authentication" : (chap.mutual() ? "mutual CHAP" : "CHAP"));
    }

    private static String access(TargetConfig t) {
        return (t.chap() == null ? "no authentication" : (t.chap().mutual() ? "mutual CHAP" : "CHAP")) + ", "
                + (t.acl().isEmpty() ? "open to every initiator" : "ACL of " + t.acl().size() + " initiator(s)");
    }

    /**
     * Stops exporting a target: its sessions are closed and its LUNs unmapped and closed.
     *
     * @return whether the target existed
     */
    public synchronized boolean removeTarget(String iqn) {
        ExportedTarget t = registry.remove(iqn);
        if (t == null) {
            return false;
        }
        for (Session s : sessions(iqn)) {
            if (s.channel() != null) {
                s.channel().close();
            }
        }
        for (int lun : t.scsi().luns()) {
            unmapLun(iqn, lun);
        }
        LOG.info("target {} removed", iqn);
        return true;
    }

    /**
     * Opens (creating it if configured with a size) the image of {@code lun} and maps it into the
     * target {@code iqn}; initiators of the target get REPORTED LUNS DATA HAS CHANGED.
     *
     * @throws IllegalStateException when the target does not exist, the LUN is taken or the image is mapped already
     */
    public synchronized LogicalUnit mapLun(String iqn, LunConfig lun) throws IOException {
        ExportedTarget t = registry.find(iqn);
        if (t == null) {
            throw new IllegalStateException("no target " + iqn);
        }
        if (t.scsi().unit(lun.id()) != null) {
            throw new IllegalStateException("LUN " + lun.id() + " of " + iqn + " is already mapped");
        }
        MappedLun other = mapped.get(lun.image());
        if (other != null) {
            throw new IllegalStateException(lun.image() + " is already LUN " + other.lun() + " of " + other.iqn());
        }
        BlockDevice device = openImage(lun, dataDir);
        LogicalUnit unit;
        LunIdentity identity;
        try {
            identity = new LunIdentity(ImageIdentity.loadOrCreate(lun.image()));
            // Saved mode pages (<image>.mode) and APTPL reservations (<image>.pr, SPC-5 §5.14.5) sit beside the image.
            unit = new LogicalUnit(identity, device, ioExecutor, PooledByteBufAllocator.DEFAULT,
                    new FileModeStore(lun.image().resolveSibling(lun.image().getFileName() + ".mode")),
                    FileReservationStore.besideImage(lun.image()));
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        t.scsi().addLun(lun.id(), unit); // the unit owns the device now
        mapped.put(lun.image(), new MappedLun(t.name(), lun.id(), unit, device));
        LOG.info("target {} LUN {}: {} ({} bytes, {}, serial {})", t.name(), lun.id(), lun.image(),
                device.size(), device.thin() ? "thin" : "thick", identity.serialNumber());
        return unit;
    }

    /**
     * Unmaps a LUN (REPORTED LUNS DATA HAS CHANGED for the others), then flushes and closes its
     * image; commands of it still in flight fail with a storage error.
     *
     * @return whether something was mapped there
     */
    public synchronized boolean unmapLun(String iqn, int lun) {
        ExportedTarget t = registry.find(iqn);
        LogicalUnit unit = t == null ? null : t.scsi().removeLun(lun);
        if (unit == null) {
            return false;
        }
        mapped.values().removeIf(m -> m.unit() == unit);
        closeUnit(unit);
        LOG.info("target {} LUN {} unmapped", iqn, lun);
        return true;
    }

    /** The LUN serving {@code image}, or null when the image is not mapped. */
    public synchronized MappedLun mappedImage(Path image) {
        return mapped.get(image.toAbsolutePath().normalize());
    }

    /** Every mapped LUN. */
    public synchronized List<MappedLun> mappedLuns() {
        return List.copyOf(mapped.values());
    }

    /** The exported targets. */
    public List<ExportedTarget> targets() {
        return registry.all();
    }

    /** Sessions logged in to {@code iqn} (every normal and discovery session when null). */
    public List<Session> sessions(String iqn) {
        if (server == null) {
            return List.of();
        }
        return server.sessions().all().stream()
                .filter(s -> iqn == null || (s.target() != null && s.target().name().equalsIgnoreCase(iqn)))
                .toList();
    }

    /** The iSCSI transport in use (epoll or NIO). */
    public String transport() {
        return server == null ? "" : server.transport();
    }

    private static void closeUnit(LogicalUnit unit) {
        try {
            unit.flush();
            unit.close();
        } catch (RuntimeException e) {
            LOG.error("flushing or closing LUN failed: {}", e.getMessage());
        }
    }

    /**
     * A LUN as the daemon serves it.
     *
     * @param device the unit's block device (owned by the unit)
     */
    public record MappedLun(String iqn, int lun, LogicalUnit unit, BlockDevice device) {
    }

    /**
     * Opens a LUN's image through its driver, creating it when it does not exist and the LUN has
     * a size. A backing chain may not leave the data directory, whatever the image's header names.
     */
    private static BlockDevice openImage(LunConfig lun, Path dataDir) throws IOException {
        ImageDriver driver = ImageTypes.driver(lun);
        if (Files.exists(lun.image())) {
            BlockDevice image = driver.open(lun.image(), false, BackingPolicy.confinedTo(dataDir));
            if (lun.hasSize() && lun.sizeBytes() != image.size()) {
                LOG.warn("LUN {}: {} image {} is {} bytes, not the configured {}; serving it as it is",
                        lun.id(), lun.format().word(), lun.image(), image.size(), lun.sizeBytes());
            }
            return image;
        }
        if (!lun.hasSize()) {
            throw new IOException("image " + lun.image() + " does not exist and LUN " + lun.id() + " has no size");
        }
        LOG.info("creating {} {} image {} of {} bytes", lun.provisioning().word(), lun.format().word(), lun.image(),
                lun.sizeBytes());
        return driver.create(lun.image(), CreateOptions.ofSize(lun.sizeBytes()));
    }

    /** The data directory: the thin pool and where new volumes go. */
    public Path dataDir() {
        return dataDir;
    }

    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /**
     * Graceful stop: asks initiators to log out and waits up to {@link #LOGOUT_GRACE} for them,
     * lets in-flight block I/O finish, shuts the event loops down, then flushes and closes every
     * image. Nothing acknowledged before the stop is lost.
     */
    @Override
    public void close() {
        if (server != null) {
            // Event loops stay up until the I/O executor is idle: completions still run on them.
            server.drain(LOGOUT_GRACE);
        }
        ioExecutor.shutdown();
        try {
            if (!ioExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("I/O still running after 30 s; closing images anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server != null) {
            server.close();
            server = null;
        }
        List<MappedLun> luns;
        synchronized (this) {
            luns = List.copyOf(mapped.values());
            mapped.clear();
        }
        luns.forEach(m -> closeUnit(m.unit()));
        if (!luns.isEmpty()) {
            LOG.info("flushed and closed {} LUN(s)", luns.size());
        }
        if (metricsServer != null) {
            metricsServer.close();
            metricsServer = null;
        }
        if (dataDirLock != null) {
            dataDirLock.close();
        }
    }
}

package io.platter.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.config.ChapCredentials;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.auth.LoginThrottle;
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
import io.platter.scsi.task.OfflineDevice;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.UUID;
import java.util.Map;
import io.platter.iscsi.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running target: opens (or creates) every configured image, builds the SCSI targets and
 * starts the iSCSI server on the configured portals. An image that cannot be opened leaves its
 * LUN offline (NOT READY) and the rest serving; anything else that fails to start closes again
 * what was opened.
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
    /** The offline LUNs' units and how to retry them; guarded by {@code this}. */
    private final Map<LogicalUnit, OfflineLuns.Retry> offline = new HashMap<>();
    private final TargetRegistry registry = new TargetRegistry(List.of());
    /** Failed CHAP logins per (address, target, user); outlives discovery CHAP changes. */
    private final LoginThrottle throttle = LoginThrottle.defaults();
    private IscsiServer server;
    private MetricsServer metricsServer;
    /** The exporter's metrics, or null when metrics are off. */
    private PrometheusMetrics prometheus;
    /** The volume label of each mapped image; guarded by {@code this}. */
    private final Map<Path, String> volumeLabels = new java.util.HashMap<>();
    private volatile Function<Path, Optional<String>> volumeNames = image -> Optional.empty();
    private List<InetSocketAddress> addresses = List.of();
    private Path dataDir;
    /** Held from before the first image opens until after the last one closed. */
    private DataDirLock dataDirLock;

    private Daemon(int ioThreads) {
        ioExecutor = Executors.newFixedThreadPool(ioThreads, Threads.named("platter-io", true));
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
        Map<Path, String> declared = new java.util.HashMap<>();
        config.volumes().forEach(v -> declared.put(v.image(), v.name()));
        volumeNames = image -> Optional.ofNullable(declared.get(image));
        IscsiMetrics metrics = IscsiMetrics.NONE;
        if (config.server().metrics().isPresent()) {
            // Before the LUNs are mapped: each mapping creates its series.
            prometheus = new PrometheusMetrics();
        }
        for (TargetConfig t : config.targets()) {
            addTarget(t);
            for (LunConfig lun : t.luns()) {
                mapLunOrOffline(t.iqn(), lun);
            }
        }
        if (!offline.isEmpty()) {
            LOG.error("{} of {} LUN(s) offline (see above); the others are served", offline.size(), mapped.size());
        }
        if (prometheus != null) {
            JvmMetrics.builder().register(prometheus.registry());
            PoolMetrics.register(prometheus.registry(), config.server().dataDir(), this::poolVolumes,
                    config.server().thinThresholdPercent());
            metricsServer = MetricsServer.start(config.server().metrics().get(), prometheus.registry());
            LOG.info("metrics on http://{}:{}/metrics", config.server().metrics().get().host(),
                    metricsServer.address().getPort());
            // Login failures are labelled with configured targets only (bounded cardinality).
            prometheus.knownTargets(() -> registry.all().stream().map(ExportedTarget::name).toList());
            metrics = prometheus;
        }
        server = new IscsiServer(registry, ServerLimits.defaults(), 0,
                new LoginSecurity(config.server().discoveryChap(), throttle, new java.security.SecureRandom()),
                metrics);
        addresses = server.bindGroups(config.server().portalGroups());
    }

    private synchronized List<PoolMetrics.Volume> poolVolumes() {
        return mapped.entrySet().stream().map(e -> new PoolMetrics.Volume(e.getValue().iqn(), e.getValue().lun(),
                volumeLabels.getOrDefault(e.getKey(), ""), e.getValue().device(), e.getValue().offline())).toList();
    }

    /**
     * Who names the volume an image serves, for the {@code volume} label of the per-LUN metrics
     * (the management layer knows the volumes; until it says, the config's volumes do). The label
     * is taken when the LUN is mapped.
     */
    public void volumeNames(Function<Path, Optional<String>> names) {
        volumeNames = java.util.Objects.requireNonNull(names, "names");
    }

    /** The volume's name, else the image's path relative to the data directory (its file name outside it). */
    private String volumeLabel(Path image) {
        Optional<String> name = volumeNames.apply(image);
        if (name.isPresent()) {
            return name.get();
        }
        return dataDir != null && image.startsWith(dataDir) ? dataDir.relativize(image).toString()
                : String.valueOf(image.getFileName());
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
        return mapLun(iqn, lun, null);
    }

    /**
     * As {@link #mapLun(String, LunConfig)}, labelling the LUN's metrics with {@code volume}, the
     * volume it maps (null: ask {@link #volumeNames}; for a volume not yet recorded anywhere).
     */
    public synchronized LogicalUnit mapLun(String iqn, LunConfig lun, String volume) throws IOException {
        ExportedTarget t = free(iqn, lun);
        BlockDevice device = openImage(lun, dataDir);
        LogicalUnit unit;
        LunIdentity identity;
        try {
            identity = new LunIdentity(ImageIdentity.loadOrCreate(lun.image()));
            // Saved mode pages (<image>.mode) and APTPL reservations (<image>.pr, SPC-5 §5.14.5) sit beside the image.
            unit = new LogicalUnit(identity, device, ioExecutor, PooledByteBufAllocator.DEFAULT, modeStore(lun),
                    FileReservationStore.besideImage(lun.image()));
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        t.scsi().addLun(lun.id(), unit); // the unit owns the device now
        mapped.put(lun.image(), new MappedLun(t.name(), lun.id(), unit, device));
        labelMapped(t.name(), lun, volume);
        LOG.info("target {} LUN {}: {} ({} bytes, {}, serial {})", t.name(), lun.id(), lun.image(),
                device.size(), device.thin() ? "thin" : "thick", identity.serialNumber());
        return unit;
    }

    /** Records the volume label of a LUN just mapped and creates its metric series. */
    private void labelMapped(String iqn, LunConfig lun, String volume) {
        String label = volume != null ? volume : volumeLabel(lun.image());
        volumeLabels.put(lun.image(), label);
        if (prometheus != null) {
            prometheus.lunMapped(iqn, lun.id(), label);
        }
    }

    /**
     * Maps {@code lun} like {@link #mapLun}, but when its image cannot be opened (missing, its
     * backing file missing, damaged, locked, not permitted) maps it offline instead: the LUN keeps
     * its number and identity and answers NOT READY, MANUAL INTERVENTION REQUIRED (SPC-5 §4.4.5)
     * until {@link #retryOffline} opens the image; the rest of the SAN serves on. Logged at ERROR
     * with what to do. For the daemon's start and the LUNs of a reloaded file; the CLI's and API's
     * changes use {@link #mapLun} and report the error instead.
     *
     * @throws IllegalStateException when the target does not exist, the LUN is taken or the image is mapped already
     */
    public synchronized LogicalUnit mapLunOrOffline(String iqn, LunConfig lun) {
        ExportedTarget t = free(iqn, lun);
        try {
            return mapLun(iqn, lun);
        } catch (IOException | RuntimeException e) {
            String reason = "cannot open " + lun.image() + ": " + OfflineLuns.describe(e);
            LOG.error("LUN {} of {}: {}; it answers NOT READY until you fix the file and run `platter reload`",
                    lun.id(), t.name(), reason);
            LunIdentity identity = OfflineLuns.identity(lun.image());
            LogicalUnit unit;
            boolean savedState = true;
            try {
                unit = LogicalUnit.offline(identity, reason, ioExecutor, PooledByteBufAllocator.DEFAULT,
                        modeStore(lun), FileReservationStore.besideImage(lun.image()));
            } catch (IOException | RuntimeException stores) {
                LOG.error("LUN {} of {}: its saved mode pages or reservations cannot be read either ({}); "
                        + "offline with defaults", lun.id(), t.name(), OfflineLuns.describe(stores));
                unit = OfflineLuns.withoutSavedState(identity, reason, ioExecutor);
                savedState = false;
            }
            t.scsi().addLun(lun.id(), unit);
            mapped.put(lun.image(), new MappedLun(t.name(), lun.id(), unit, new OfflineDevice(reason)));
            offline.put(unit, new OfflineLuns.Retry(lun, savedState));
            labelMapped(t.name(), lun, null);
            return unit;
        }
    }

    /**
     * Tries again to open the image of every offline LUN ({@code platter reload}, SIGHUP). A LUN
     * whose image opens now gets its medium in place: same LUN, identity and sessions; its
     * initiators get NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED ({@link LogicalUnit#bringOnline}).
     * When the image carries another identity than the one the LUN showed (its .id was restored with
     * it) the LUN is mapped anew instead (REPORTED LUNS DATA HAS CHANGED), as it is another disk.
     * The others stay offline and are logged again at ERROR with their reason now.
     *
     * @return the LUNs that came online
     */
    public synchronized List<MappedLun> retryOffline() {
        List<MappedLun> back = new ArrayList<>();
        for (MappedLun m : List.copyOf(mapped.values())) {
            OfflineLuns.Retry retry = offline.get(m.unit());
            if (retry != null) {
                MappedLun online = retry(m, retry);
                if (online != null) {
                    back.add(online);
                }
            }
        }
        return back;
    }

    private MappedLun retry(MappedLun m, OfflineLuns.Retry retry) {
        LunConfig lun = retry.lun();
        LogicalUnit unit = m.unit();
        BlockDevice device;
        UUID uuid;
        try {
            device = openImage(lun, dataDir);
            try {
                uuid = ImageIdentity.loadOrCreate(lun.image(), unit.identity().uuid());
            } catch (IOException | RuntimeException e) {
                OfflineLuns.close(device);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            String reason = "cannot open " + lun.image() + ": " + OfflineLuns.describe(e);
            unit.stillOffline(reason);
            LOG.error("LUN {} of {} is still offline: {}; fix the file and run `platter reload`", m.lun(), m.iqn(),
                    reason);
            return null;
        }
        if (!uuid.equals(unit.identity().uuid()) || !retry.savedState()) {
            OfflineLuns.close(device);
            unmapLun(m.iqn(), m.lun());
            return mapLunOrOffline(m.iqn(), lun).offline() ? null : mapped.get(lun.image());
        }
        offline.remove(unit);
        unit.bringOnline(device);
        MappedLun online = new MappedLun(m.iqn(), m.lun(), unit, device);
        mapped.put(lun.image(), online);
        LOG.info("target {} LUN {}: {} is online again ({} bytes, {}, serial {})", m.iqn(), m.lun(), lun.image(),
                device.size(), device.thin() ? "thin" : "thick", unit.identity().serialNumber());
        return online;
    }

    /** The target {@code iqn}, where {@code lun} may be mapped. */
    private ExportedTarget free(String iqn, LunConfig lun) {
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
        return t;
    }

    private static FileModeStore modeStore(LunConfig lun) {
        return new FileModeStore(lun.image().resolveSibling(lun.image().getFileName() + ".mode"));
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
        mapped.entrySet().removeIf(e -> {
            if (e.getValue().unit() != unit) {
                return false;
            }
            volumeLabels.remove(e.getKey());
            return true;
        });
        offline.remove(unit);
        if (prometheus != null) {
            prometheus.lunUnmapped(t.name(), lun);   // its series go with it: no series for LUNs that do not exist
        }
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

    /** The throttle on failed CHAP logins, for {@code platter auth blocks|unblock}. */
    public LoginThrottle loginThrottle() {
        return throttle;
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
     * @param device the unit's block device (owned by the unit); an {@link OfflineDevice} of size 0
     *               while the LUN is offline
     */
    public record MappedLun(String iqn, int lun, LogicalUnit unit, BlockDevice device) {

        /** Whether the LUN is offline: its image could not be opened and it answers NOT READY. */
        public boolean offline() {
            return unit.offline();
        }

        /** Why the LUN is offline, or null. */
        public String offlineReason() {
            return unit.offlineReason();
        }
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
        Path identity = ImageIdentity.sidecar(lun.image());
        if (Files.exists(identity)) {
            // It was served before (its identity file is there): a missing image is a moved or lost
            // file, never a reason to serve an empty disk under the old identity. The LUN goes
            // offline until the file is back; deleting the identity file makes a new, empty disk.
            throw new IOException("image " + lun.image() + " is missing, but " + identity.getFileName()
                    + " shows it was served before; restore the file (or delete " + identity
                    + " to start an empty disk with a new identity)");
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
            offline.clear();
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

package io.platter.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Provisioning;
import io.platter.config.TargetConfig;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.session.ExportedTarget;
import io.platter.iscsi.session.IscsiMetrics;
import io.platter.iscsi.session.ServerLimits;
import io.platter.iscsi.session.TargetRegistry;
import io.platter.lun.BlockDevice;
import io.platter.lun.ImageIdentity;
import io.platter.lun.RawImage;
import io.platter.lun.qcow2.Qcow2Image;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.ScsiTarget;
import io.platter.server.metrics.MetricsServer;
import io.platter.server.metrics.PrometheusMetrics;
import io.platter.scsi.mode.FileModeStore;
import io.platter.scsi.reservation.FileReservationStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
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
    private final List<LogicalUnit> units = new ArrayList<>();
    private final List<BlockDevice> devices = new ArrayList<>();
    private IscsiServer server;
    private MetricsServer metricsServer;
    private List<InetSocketAddress> addresses = List.of();

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
        Files.createDirectories(config.server().dataDir());
        List<ExportedTarget> exported = new ArrayList<>();
        for (TargetConfig t : config.targets()) {
            ScsiTarget scsi = new ScsiTarget(t.iqn(), PooledByteBufAllocator.DEFAULT);
            for (LunConfig lun : t.luns()) {
                BlockDevice device = openImage(lun);
                devices.add(device);
                LunIdentity identity = new LunIdentity(ImageIdentity.loadOrCreate(lun.image()));
                // APTPL persistent reservations live next to the image, in <image>.pr (SPC-5 §5.14.5).
                // Saved mode pages (<image>.mode) and APTPL reservations (<image>.pr) sit beside the image.
                LogicalUnit unit = new LogicalUnit(identity, device, ioExecutor, PooledByteBufAllocator.DEFAULT,
                        new FileModeStore(lun.image().resolveSibling(lun.image().getFileName() + ".mode")),
                        FileReservationStore.besideImage(lun.image()));
                units.add(unit);
                devices.remove(device); // the unit owns it now
                scsi.addLun(lun.id(), unit);
                LOG.info("target {} LUN {}: {} ({} bytes, {}, serial {})", t.iqn(), lun.id(), lun.image(),
                        device.size(), device.thin() ? "thin" : "thick", identity.serialNumber());
            }
            exported.add(new ExportedTarget(t.iqn(), t.alias(), PORTAL_GROUP_TAG, scsi, t.chap(), t.acl()));
            LOG.info("target {}: {}, {}", t.iqn(), t.chap() == null ? "no authentication"
                    : (t.chap().mutual() ? "mutual CHAP" : "CHAP"),
                    t.acl().isEmpty() ? "open to every initiator" : "ACL of " + t.acl().size() + " initiator(s)");
        }
        IscsiMetrics metrics = IscsiMetrics.NONE;
        if (config.server().metrics().isPresent()) {
            PrometheusMetrics prometheus = new PrometheusMetrics();
            metricsServer = MetricsServer.start(config.server().metrics().get(), prometheus.registry());
            LOG.info("metrics on http://{}:{}/metrics", config.server().metrics().get().host(),
                    metricsServer.address().getPort());
            metrics = prometheus;
        }
        server = new IscsiServer(new TargetRegistry(exported), ServerLimits.defaults(), 0,
                LoginSecurity.withDiscoveryChap(config.server().discoveryChap()), metrics);
        addresses = server.bindGroups(config.server().portalGroups());
    }

    private static BlockDevice openImage(LunConfig lun) throws IOException {
        if (lun.format() == ImageFormat.QCOW2) {
            return openQcow2(lun);
        }
        boolean thin = lun.provisioning() == Provisioning.THIN;
        if (Files.exists(lun.image())) {
            return RawImage.open(lun.image(), false, thin);
        }
        if (!lun.hasSize()) {
            throw new IOException("image " + lun.image() + " does not exist and LUN " + lun.id() + " has no size");
        }
        LOG.info("creating {} image {} of {} bytes", thin ? "thin" : "thick", lun.image(), lun.sizeBytes());
        return RawImage.create(lun.image(), lun.sizeBytes(), !thin);
    }

    private static BlockDevice openQcow2(LunConfig lun) throws IOException {
        if (Files.exists(lun.image())) {
            Qcow2Image image = Qcow2Image.open(lun.image(), false);
            if (lun.hasSize() && lun.sizeBytes() != image.size()) {
                LOG.warn("LUN {}: qcow2 image {} is {} bytes, not the configured {}; serving it as it is",
                        lun.id(), lun.image(), image.size(), lun.sizeBytes());
            }
            return image;
        }
        if (!lun.hasSize()) {
            throw new IOException("image " + lun.image() + " does not exist and LUN " + lun.id() + " has no size");
        }
        LOG.info("creating qcow2 image {} of {} bytes", lun.image(), lun.sizeBytes());
        return Qcow2Image.create(lun.image(), lun.sizeBytes());
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
        for (LogicalUnit unit : units) {
            try {
                unit.flush();
                unit.close();
            } catch (RuntimeException e) {
                LOG.error("flushing or closing LUN failed: {}", e.getMessage());
            }
        }
        if (!units.isEmpty()) {
            LOG.info("flushed and closed {} LUN(s)", units.size());
        }
        units.clear();
        for (BlockDevice device : devices) {
            try {
                device.close();
            } catch (IOException e) {
                LOG.error("closing image failed: {}", e.getMessage());
            }
        }
        devices.clear();
        if (metricsServer != null) {
            metricsServer.close();
            metricsServer = null;
        }
    }
}

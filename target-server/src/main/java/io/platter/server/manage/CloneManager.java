package io.platter.server.manage;

import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.Provisioning;
import io.platter.config.VolumeConfig;
import io.platter.lun.BlockDevice;
import io.platter.lun.image.CreateOptions;
import io.platter.lun.image.SnapshotInfo;
import io.platter.server.ImageTypes;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clones of volumes and of their snapshots (qcow2 overlays over a read-only template), flattening
 * a clone, and adopting an existing image ({@link VolumeImport}), on the running daemon. Each
 * operation either completes or leaves nothing behind.
 *
 * <p>Thread-safety: every public method holds the monitor of the {@link ManagedConfig}, as
 * {@link VolumeManager}'s do.
 */
public final class CloneManager {
    private static final Logger LOG = LoggerFactory.getLogger(CloneManager.class);

    private final VolumeManager volumes;
    private final ManagedConfig config;
    private final Path dataDir;

    public CloneManager(VolumeManager volumes, ManagedConfig config, Path dataDir) {
        this.volumes = volumes;
        this.config = config;
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    /**
     * Clones {@code source} into a new thin qcow2 volume whose backing file is the source's image.
     * The source becomes a read-only template: it must not be mapped, and it cannot be mapped,
     * resized or deleted while clones use it. Takes milliseconds whatever the size.
     */
    public Views.Volume clone(String source, String snapshot, String name, String iqn, int lun) {
        synchronized (config) {
            VolumeConfig src = volumes.volume(source);
            if (snapshot == null) {
                return cloneOf(src, name, iqn, lun);
            }
            VolumeConfig template = config.volume(snapshotTemplateName(source, snapshot)).orElse(null);
            boolean made = template == null;
            if (made) {
                volumes.newVolume(name, ImageFormat.QCOW2, Provisioning.THIN); // checks the new name before the copy
                template = materialise(src, snapshot);
            } else if (!template.template()) {
                throw ManagementException.conflict("volume " + template.name() + " exists and is not the template of "
                        + source + "@" + snapshot + "; rename or delete it");
            }
            try {
                return cloneOf(template, name, iqn, lun);
            } catch (RuntimeException e) {
                if (made) {
                    String t = template.name();
                    config.update(c -> ManagedConfig.withoutVolume(c, t));
                    VolumeManager.deleteImageFiles(template.image());
                }
                throw e;
            }
        }
    }

    /** {@code SOURCE--SNAPSHOT}: the read-only template a snapshot is materialised into for clones. */
    static String snapshotTemplateName(String source, String snapshot) {
        SnapshotManager.requireSnapshotName(snapshot);
        String name = source + "--" + snapshot;
        if (!VolumeConfig.NAME.matcher(name).matches()) {
            throw ManagementException.badRequest("the template of " + source + "@" + snapshot + " would be named "
                    + name + ", longer than 64 characters; use shorter names");
        }
        return name;
    }

    /**
     * Copies snapshot {@code snapshot} of {@code src} (online, while src may be mapped and written)
     * into a new thin qcow2 template over src's own backing file; only the clusters the snapshot
     * maps are copied. Persisted as a template volume; on failure nothing is left.
     */
    private VolumeConfig materialise(VolumeConfig src, String snapshot) {
        String name = snapshotTemplateName(src.name(), snapshot);
        VolumeConfig t = volumes.newVolume(name, ImageFormat.QCOW2, Provisioning.THIN).withTemplate(true);
        long start = System.nanoTime();
        volumes.withQcow2(src.name(), image -> {
            SnapshotManager.requireSnapshot(src.name(), image, snapshot);
            long size = image.snapshots().stream().filter(s -> s.name().equals(snapshot)).findFirst()
                    .map(SnapshotInfo::diskSize).filter(d -> d >= 0).orElse(image.size());
            volumes.runJob("materialise", name, size, job -> image.materialiseSnapshot(snapshot, t.image(), job));
            return null;
        });
        try {
            config.update(c -> ManagedConfig.withVolume(c, t));
        } catch (RuntimeException e) {
            VolumeManager.deleteImageFiles(t.image());
            throw e;
        }
        LOG.info("snapshot {} of {} materialised as template {} in {} ms", snapshot, src.name(), name,
                (System.nanoTime() - start) / 1_000_000);
        return t;
    }

    /** Clones {@code src} as described at {@link #clone}. Caller holds the config monitor. */
    private Views.Volume cloneOf(VolumeConfig src, String name, String iqn, int lun) {
        long start = System.nanoTime();
        String source = src.name();
        Mapping m = config.mappingOf(src.image()).orElse(null);
        if (m != null) {
            throw ManagementException.conflict("volume " + source + " is LUN " + m.lun().id() + " of " + m.iqn()
                    + "; a template must be read-only, so unmap it first");
        }
        if (!volumes.inDataDir(src.image())) {
            throw ManagementException.conflict("the image of volume " + source + " is outside the data directory "
                    + dataDir + ", where the daemon follows no backing file; import a copy (--copy) and clone that");
        }
        VolumeConfig v = volumes.newVolume(name, ImageFormat.QCOW2, Provisioning.THIN);
        long size;
        try (BlockDevice device = volumes.open(src, true)) {
            size = device.size();
        } catch (IOException e) {
            throw ManagementException.failed("cannot open " + source + ": " + e.getMessage());
        }
        LunConfig mapping = iqn == null ? null : volumes.lunFor(iqn, lun, v, size);
        // Same directory: the backing name is stored relative, so the pair can move together.
        String backing = src.image().getParent().equals(v.image().getParent())
                ? src.image().getFileName().toString() : src.image().toString();
        try {
            ImageTypes.driver(v).create(v.image(), CreateOptions.ofSize(size).withClusterBits(VolumeManager.CLUSTER_BITS)
                    .withBacking(backing, ImageTypes.of(src.format(), src.provisioning()))).close();
        } catch (IOException e) {
            throw ManagementException.failed("cannot create " + v.image() + ": " + e.getMessage());
        }
        try {
            if (!src.template()) {
                config.update(c -> ManagedConfig.withVolume(c, src.withTemplate(true)));
            }
            volumes.commitNew(v, mapping == null ? null : iqn, mapping);
        } catch (RuntimeException e) {
            VolumeManager.deleteImageFiles(v.image());
            throw e;
        }
        LOG.info("volume {} cloned from {} in {} ms", name, source, (System.nanoTime() - start) / 1_000_000);
        return volumes.show(name);
    }

    // ---- flatten and import ----

    /**
     * Makes a clone independent of its template, online: every cluster it still reads from the
     * backing chain is copied into it (writes of initiators win), then the backing reference is
     * dropped. A failure leaves the clone as it was (still backed, reading the same data). When
     * the template has no clones left it stops being a template.
     */
    public Views.Volume flatten(String name) {
        synchronized (config) {
            VolumeConfig v = volumes.volume(name);
            Path backing = volumes.backingOf(v);
            if (backing == null) {
                throw ManagementException.conflict("volume " + name + " has no backing file; nothing to flatten");
            }
            long start = System.nanoTime();
            volumes.withQcow2(name, image -> {
                volumes.runJob("flatten", name, image.size(), image::flatten);
                return null;
            });
            volumes.releaseTemplate(backing);
            LOG.info("volume {} flattened (no longer backed by {}) in {} ms", name, backing,
                    (System.nanoTime() - start) / 1_000_000);
            return volumes.show(name);
        }
    }

    /**
     * Adopts an existing image of the data directory as a volume, in place or copied ({@code
     * copy}); with {@code makeTemplate}, writable volumes its backing chain names become read-only
     * templates (without it they refuse the import). The checks and the all-or-nothing rule are
     * {@link VolumeImport}'s.
     */
    public Views.Volume importVolume(String name, String file, ImageFormat format, boolean copy, boolean makeTemplate,
                                     String iqn, int lun) {
        synchronized (config) {
            return new VolumeImport(volumes, config, dataDir).run(name, file, format, copy, makeTemplate, iqn, lun);
        }
    }
}

package io.platter.server.manage;

import io.platter.config.ImageFormat;
import io.platter.config.IscsiNames;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Provisioning;
import io.platter.config.Sizes;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ImageIdentity;
import io.platter.lun.image.CreateOptions;
import io.platter.lun.image.ImageDriver;
import io.platter.lun.image.ImageDrivers;
import io.platter.lun.image.ImageSnapshots;
import io.platter.lun.image.ImageType;
import io.platter.lun.qcow2.BackingPolicy;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import io.platter.server.ImageTypes;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes on the running daemon (their snapshots are {@link SnapshotManager}'s, clones, flatten
 * and import {@link CloneManager}'s), and the helpers those share. Each operation either completes
 * (live state changed and configuration persisted) or leaves nothing behind: a failed create
 * deletes the image it made, a failed save undoes the live change.
 *
 * <p>Thread-safety: every public method holds the monitor of the {@link ManagedConfig}, so
 * management operations run one at a time.
 */
public final class VolumeManager {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeManager.class);
    /** Clusters of the qcow2 images this manager makes (64 KiB, as qemu-img). */
    static final int CLUSTER_BITS = 16;

    private final Daemon daemon;
    private final ManagedConfig config;
    private final Path dataDir;
    private final Jobs jobs = new Jobs();

    public VolumeManager(Daemon daemon, ManagedConfig config, Path dataDir) {
        this.daemon = daemon;
        this.config = config;
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    /**
     * The backing files this daemon's images may open: only images of the data directory (their
     * real paths), wherever a header's name points (see {@link BackingPolicy}).
     */
    BackingPolicy backingPolicy() {
        return BackingPolicy.confinedTo(dataDir);
    }

    /** Whether {@code image}'s real path (its own path when it does not exist) lies in the data directory. */
    boolean inDataDir(Path image) {
        try {
            Path top = dataDir.toRealPath();
            Path real = Files.exists(image) ? image.toRealPath() : image.toAbsolutePath().normalize();
            return real.startsWith(top) && !real.equals(top);
        } catch (IOException e) {
            return false;
        }
    }

    Daemon daemon() {
        return daemon;
    }

    /** The long operations running and recently finished; readable while an operation runs. */
    public Jobs jobs() {
        return jobs;
    }

    // ---- volumes ----

    /** Creates a volume (and maps it when {@code iqn} is given); lun -1 picks the lowest free LUN. */
    public Views.Volume create(String name, long size, ImageFormat format, Provisioning provisioning,
                               String iqn, int lun) {
        synchronized (config) {
            VolumeConfig v = newVolume(name, format, provisioning);
            if (size <= 0 || size % LunConfig.SIZE_GRANULARITY != 0) {
                throw ManagementException.badRequest("size must be a positive multiple of 512 bytes");
            }
            LunConfig mapping = iqn == null ? null : lunFor(iqn, lun, v, size);
            try {
                ImageDriver driver = ImageTypes.driver(v);
                CreateOptions options = CreateOptions.ofSize(size).withClusterBits(CLUSTER_BITS);
                // A job shows the progress of a long creation (allocating a thick image).
                runJob(driver.type() == ImageType.RAW_THICK ? "allocate" : "create", name, size,
                        job -> driver.create(v.image(), options.withProgress(job)).close());
            } catch (BlockDeviceException.NoSpace e) {
                throw ManagementException.conflict("no space for a thick volume of " + Sizes.format(size)
                        + " in " + dataDir + "; free space or create it thin");
            } catch (IOException e) {
                throw ManagementException.failed("cannot create " + v.image() + ": " + e.getMessage());
            }
            try {
                commitNew(v, mapping == null ? null : iqn, mapping);
            } catch (RuntimeException e) {
                deleteImageFiles(v.image());
                throw e;
            }
            LOG.info("volume {} created: {} {} {}", name, Sizes.format(size), format.word(), provisioning.word());
            return show(name);
        }
    }

    /**
     * Deletes a volume; a mapped one only with {@code force} (it is unmapped first). Never one whose
     * image another volume uses as backing file (a clone, an imported overlay): those are named.
     * The image file goes too only when Platter made it in the data directory, or with
     * {@code deleteFile}: a volume imported in place, or whose image lies outside the data
     * directory, is forgotten and its file (with its identity sidecar) left where it is. Deleting a
     * file outside the data directory also needs {@code outsideDataDir} (a file the operator put
     * there, which a management token alone must not remove). Snapshot groups drop the volume.
     */
    public Views.Done delete(String name, boolean force, boolean deleteFile, boolean outsideDataDir) {
        synchronized (config) {
            VolumeConfig v = volume(name);
            boolean inside = inDataDir(v.image());
            boolean removeFile = deleteFile || (inside && !v.importedInPlace());
            if (removeFile && !inside && !outsideDataDir) {
                throw ManagementException.conflict("the image of volume " + name + " is " + v.image()
                        + ", outside the data directory " + dataDir + "; nothing was deleted. Add --outside-data-dir"
                        + " to delete that file too, or leave --delete-file out to keep it");
            }
            List<String> dependants = dependantsOf(v);
            if (!dependants.isEmpty()) {
                throw ManagementException.conflict("volume " + name + " is the template of " + String.join(", ", dependants)
                        + " (their backing file); delete or flatten those first, --force does not change that");
            }
            Mapping m = config.mappingOf(v.image()).orElse(null);
            if (m != null && !force) {
                InUse.require(daemon, m.iqn(), false, "deleting volume " + name + " (LUN " + m.lun().id() + " of "
                        + m.iqn() + ")");
                throw ManagementException.conflict("volume " + name + " is LUN " + m.lun().id() + " of " + m.iqn()
                        + "; unmap it first or use --force");
            }
            if (m != null) {
                InUse.require(daemon, m.iqn(), true, "deleting volume " + name + " (LUN " + m.lun().id() + ")");
            }
            Path backing = backingOf(v);
            config.refuseDeclared(c -> ManagedConfig.withoutVolume(
                    m == null ? c : ManagedConfig.withoutLun(c, m.iqn(), m.lun().id()), name)); // before the unmap
            if (m != null) {
                daemon.unmapLun(m.iqn(), m.lun().id());
            }
            config.update(c -> SnapshotManager.withoutMember(ManagedConfig.withoutVolume(
                    m == null ? c : ManagedConfig.withoutLun(c, m.iqn(), m.lun().id()), name), name));
            if (removeFile) {
                deleteImageFiles(v.image());
            }
            releaseTemplate(backing);
            LOG.info("volume {} deleted{}", name, removeFile ? "" : "; its image " + v.image() + " was left in place");
            return new Views.Done(removeFile ? "volume " + name + " deleted" : "volume " + name + " forgotten; its image "
                    + v.image() + " was left in place (--delete-file deletes it too)");
        }
    }

    /**
     * Resizes a volume. Growing a mapped volume is online and raises CAPACITY DATA HAS CHANGED on
     * every I_T nexus of its LUN (SBC-4 §4.10, SPC-5 Annex D); shrinking needs {@code force}.
     */
    public Views.Volume resize(String name, long newSize, boolean force) {
        return resize(name, new Sizes.Change(Sizes.Change.Kind.ABSOLUTE, newSize), force);
    }

    /**
     * Resizes a volume to an absolute size or by an amount ({@code +10G}, {@code -1G}), computed from
     * the size it has under the management lock, so two relative resizes never lose one.
     */
    public Views.Volume resize(String name, Sizes.Change change, boolean force) {
        synchronized (config) {
            VolumeConfig v = volume(name);
            if (change.kind() == Sizes.Change.Kind.ABSOLUTE) {
                checkSize(change.bytes(), change);
            }
            if (v.template()) {
                throw ManagementException.conflict("volume " + name + " is a template; its clones depend on its size");
            }
            // Before the medium changes; a relative change's result is not known yet, so probe with a size
            // that differs from the recorded one (any change of a declared LUN's size is refused).
            long probe = change.kind() == Sizes.Change.Kind.ABSOLUTE ? change.bytes()
                    : config.mappingOf(v.image()).filter(m -> m.lun().hasSize())
                            .map(m -> m.lun().sizeBytes() + LunConfig.SIZE_GRANULARITY).orElse((long) LunConfig.SIZE_GRANULARITY);
            config.refuseDeclared(c -> ManagedConfig.withLunSize(c, v.image(), probe));
            MappedLun live = daemon.mappedImage(v.image());
            long old;
            long newSize;
            try {
                if (live != null) {
                    old = live.device().size();
                    newSize = newSize(name, old, change, force);
                    live.unit().resize(newSize); // fences the writes, then CAPACITY DATA HAS CHANGED
                } else {
                    try (BlockDevice device = open(v, false)) {
                        old = device.size();
                        newSize = newSize(name, old, change, force);
                        resizeUnmapped(device, newSize);
                    }
                }
            } catch (BlockDeviceException.NoSpace e) {
                throw ManagementException.conflict("no space to grow " + name
                        + (change.kind() == Sizes.Change.Kind.ABSOLUTE ? " to " : " by ") + change);
            } catch (IOException e) {
                throw ManagementException.conflict("cannot resize " + name + ": " + e.getMessage());
            }
            recordSize(v, newSize);
            LOG.info("volume {} resized from {} to {}", name, Sizes.format(old), Sizes.format(newSize));
            return show(name);
        }
    }

    /** The LUN mapping {@code v}, when it records a size, records {@code newSize} (after a resize or a revert). */
    void recordSize(VolumeConfig v, long newSize) {
        Mapping m = config.mappingOf(v.image()).orElse(null);
        if (m != null && m.lun().hasSize() && m.lun().sizeBytes() != newSize) {
            LunConfig l = m.lun();
            config.update(c -> ManagedConfig.withLun(c, m.iqn(),
                    new LunConfig(l.id(), l.image(), newSize, l.format(), l.provisioning())));
        }
    }

    /** The size {@code change} makes of {@code old}: positive, whole blocks, a shrink only with {@code force}. */
    private static long newSize(String name, long old, Sizes.Change change, boolean force) {
        long next;
        try {
            next = change.applyTo(old);
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest("volume " + name + ": " + e.getMessage());
        }
        checkSize(next, change);
        checkShrink(name, old, next, force);
        return next;
    }

    private static void checkSize(long size, Sizes.Change change) {
        if (size <= 0 || size % LunConfig.SIZE_GRANULARITY != 0) {
            throw ManagementException.badRequest("size must be a positive multiple of 512 bytes"
                    + (size > 0 ? ", got " + size + " bytes (from " + change + ")" : ""));
        }
    }

    /**
     * An unmapped volume has no logical unit and no initiator can reach it, so its image is
     * resized directly (the one exception to "management asks the unit", see ArchitectureTest).
     */
    private static void resizeUnmapped(BlockDevice device, long newSize) throws BlockDeviceException {
        device.resize(newSize);
    }

    private static void checkShrink(String name, long old, long newSize, boolean force) {
        if (newSize < old && !force) {
            throw ManagementException.conflict("shrinking " + name + " from " + Sizes.format(old) + " to "
                    + Sizes.format(newSize) + " destroys the data past the new end; add --force to do it");
        }
    }

    public List<Views.Volume> list() {
        synchronized (config) {
            return config.get().volumes().stream().map(this::view).toList();
        }
    }

    public Views.Volume show(String name) {
        synchronized (config) {
            return view(volume(name));
        }
    }

    /** Renames an unmapped volume (see {@link VolumeRename}). */
    public Views.Volume rename(String name, String newName) {
        synchronized (config) {
            return new VolumeRename(this, config, dataDir).run(name, newName);
        }
    }

    /** Clears the template flag of the volume at {@code image} once no clone uses it. */
    void releaseTemplate(Path image) {
        VolumeConfig t = image == null ? null : config.volumeOfImage(image).orElse(null);
        if (t != null && t.template() && dependantsOf(t).isEmpty()) {
            config.update(c -> ManagedConfig.withVolume(c, t.withTemplate(false)));
            LOG.info("volume {} has no clones left and is no longer a template", t.name());
        }
    }

    // ---- jobs ----

    /** The body of a long operation, reporting bytes done to the job. */
    interface JobBody {
        void run(Jobs.Job job) throws IOException;
    }

    /** Runs {@code body} as a job of {@code totalBytes} visible in {@code job/list} while it runs. */
    void runJob(String operation, String volume, long totalBytes, JobBody body) throws IOException {
        Jobs.Job job = jobs.start(operation, volume, totalBytes);
        try {
            body.run(job);
        } catch (IOException | RuntimeException e) {
            job.failed(e.getMessage());
            throw e;
        } finally {
            job.close();
        }
    }

    // ---- helpers ----

    VolumeConfig newVolume(String name, ImageFormat format, Provisioning provisioning) {
        if (format == ImageFormat.QCOW2 && provisioning == Provisioning.THICK) {
            throw ManagementException.badRequest("qcow2 volumes are always thin; use --format raw for thick");
        }
        VolumeConfig v;
        try {
            v = new VolumeConfig(name, dataDir.resolve(name + (format == ImageFormat.QCOW2 ? ".qcow2" : ".img")),
                    format, provisioning, false);
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest(e.getMessage());
        }
        if (config.volume(name).isPresent()) {
            throw ManagementException.conflict("volume " + name + " exists already");
        }
        if (Files.exists(v.image())) {
            throw ManagementException.conflict(v.image() + " exists already but is no volume; move it away");
        }
        return v;
    }

    /** The LUN config mapping {@code v} into {@code iqn}; checks the target, the LUN and templates. */
    LunConfig lunFor(String iqn, int lun, VolumeConfig v, long size) {
        String name = IscsiNames.normalize(iqn);
        TargetConfig t = config.get().target(name).orElseThrow(() -> ManagementException.notFound(
                "no target " + iqn + " (see platter target list)"));
        if (v.template()) {
            throw ManagementException.conflict("volume " + v.name() + " is a read-only template; clone it instead");
        }
        Mapping m = config.mappingOf(v.image()).orElse(null);
        if (m != null) {
            throw ManagementException.conflict("volume " + v.name() + " is LUN " + m.lun().id() + " of " + m.iqn()
                    + " already");
        }
        int id = lun;
        if (id < 0) {
            id = 0;
            while (usesLun(t, id)) {
                id++;
            }
        } else if (usesLun(t, id)) {
            throw ManagementException.conflict("LUN " + id + " of " + name + " is taken; pick another or leave --lun out");
        }
        if (id > LunConfig.MAX_ID) {
            throw ManagementException.badRequest("LUN must be 0-" + LunConfig.MAX_ID);
        }
        return new LunConfig(id, v.image(), size, v.format(), v.provisioning());
    }

    private static boolean usesLun(TargetConfig t, int id) {
        return t.luns().stream().anyMatch(l -> l.id() == id);
    }

    /** Maps (when asked) and persists a new volume; undoes the mapping when saving fails. */
    void commitNew(VolumeConfig v, String iqn, LunConfig lun) {
        String name = iqn == null ? null : IscsiNames.normalize(iqn);
        if (lun != null) {
            try {
                daemon.mapLun(name, lun, v.name());
            } catch (IOException | RuntimeException e) {
                throw ManagementException.failed("cannot map " + v.name() + ": " + e.getMessage());
            }
        }
        try {
            config.update(c -> {
                PlatterConfig next = ManagedConfig.withVolume(c, v);
                return lun == null ? next : ManagedConfig.withLun(next, name, lun);
            });
        } catch (RuntimeException e) {
            if (lun != null) {
                daemon.unmapLun(name, lun.id());
            }
            throw e;
        }
    }

    VolumeConfig volume(String name) {
        return config.volume(Objects.requireNonNullElse(name, "")).orElseThrow(() -> ManagementException.notFound(
                "no volume " + name + " (see platter volume list)"));
    }

    /** The volumes whose image names {@code v}'s image as its backing file (clones, imported overlays). */
    List<String> dependantsOf(VolumeConfig v) {
        List<String> out = new ArrayList<>();
        for (VolumeConfig other : config.get().volumes()) {
            if (!other.name().equals(v.name()) && v.image().equals(backingOf(other))) {
                out.add(other.name());
            }
        }
        return out;
    }

    /** The backing image of a volume (absolute), or null: always null when its driver has no layering. */
    Path backingOf(VolumeConfig v) {
        MappedLun live = daemon.mappedImage(v.image());
        String name = null;
        Optional<ImageSnapshots> liveLayers = live == null ? Optional.empty() : ImageDrivers.snapshots(live.device());
        if (liveLayers.isPresent()) {
            name = liveLayers.get().backingFile();
        } else if (live == null && ImageTypes.driver(v).hasSnapshots()) {
            try (BlockDevice d = open(v, true)) {
                name = ImageDrivers.snapshots(d).map(ImageSnapshots::backingFile).orElse(null);
            } catch (IOException e) {
                LOG.warn("cannot open {}: {}", v.image(), e.getMessage());
            }
        }
        return name == null ? null : v.image().getParent().resolve(name).toAbsolutePath().normalize();
    }

    BlockDevice open(VolumeConfig v, boolean readOnly) throws IOException {
        return ImageTypes.driver(v).open(v.image(), readOnly, backingPolicy());
    }

    /**
     * Something done with the snapshot capability of a volume's image, open (the live one when
     * mapped) for writing.
     */
    interface ImageAction<T> {
        T apply(ImageSnapshots image) throws IOException;
    }

    <T> T withQcow2(String volume, ImageAction<T> action) {
        VolumeConfig v = volume(volume);
        if (!ImageTypes.driver(v).hasSnapshots()) {
            throw ManagementException.badRequest("volume " + volume + " is " + v.format().word()
                    + "; snapshots need a qcow2 volume");
        }
        try {
            MappedLun live = daemon.mappedImage(v.image());
            if (live != null) {
                return action.apply(snapshotsOf(volume, live.device()));
            }
            try (BlockDevice image = open(v, v.template())) {
                return action.apply(snapshotsOf(volume, image));
            }
        } catch (ManagementException e) {
            throw e;
        } catch (IOException e) {
            throw ManagementException.conflict(volume + ": " + e.getMessage());
        }
    }

    /** The snapshot capability of a volume's open device; its driver promised one. */
    private static ImageSnapshots snapshotsOf(String volume, BlockDevice device) {
        return ImageDrivers.snapshots(device).orElseThrow(() -> ManagementException.failed(
                "volume " + volume + ": its image " + device + " offers no snapshots"));
    }

    Views.Volume view(VolumeConfig v) {
        MappedLun live = daemon.mappedImage(v.image());
        long size = -1;
        int snapshots = 0;
        if (live != null && !live.offline()) {
            size = live.device().size();
            snapshots = ImageDrivers.snapshots(live.device()).map(s -> s.snapshots().size()).orElse(0);
        } else if (live == null) {
            try (BlockDevice d = open(v, true)) {
                size = d.size();
                snapshots = ImageDrivers.snapshots(d).map(s -> s.snapshots().size()).orElse(0);
            } catch (IOException e) {
                LOG.warn("cannot open {}: {}", v.image(), e.getMessage());
            }
        }
        Mapping m = config.mappingOf(v.image()).orElse(null);
        Path backing = backingOf(v);
        String backingName = backing == null ? null
                : config.volumeOfImage(backing).map(VolumeConfig::name).orElse(backing.toString());
        return new Views.Volume(v.name(), v.format().word(), v.provisioning().word(), size,
                Pool.allocatedBytes(v.image()), v.image().toString(), v.template(), backingName,
                m == null ? null : m.iqn(), m == null ? -1 : m.lun().id(), snapshots,
                OfflineReport.state(live), live == null ? null : live.offlineReason());
    }

    /**
     * An image and its sidecars, in this order: identity, saved mode pages, APTPL reservations and
     * a set-aside damaged reservations file.
     */
    static List<Path> imageFiles(Path image) {
        return List.of(image, ImageIdentity.sidecar(image), image.resolveSibling(image.getFileName() + ".mode"),
                image.resolveSibling(image.getFileName() + ".pr"), image.resolveSibling(image.getFileName() + ".pr.damaged"));
    }

    /** Deletes an image and its sidecars (identity, saved mode pages, APTPL reservations). */
    static void deleteImageFiles(Path image) {
        for (Path p : imageFiles(image)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", p, e.getMessage());
            }
        }
    }
}

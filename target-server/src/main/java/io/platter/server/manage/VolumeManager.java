package io.platter.server.manage;

import io.platter.config.ImageFormat;
import io.platter.config.IscsiNames;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Provisioning;
import io.platter.config.Sizes;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.iscsi.session.ExportedTarget;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ImageIdentity;
import io.platter.lun.RawImage;
import io.platter.lun.qcow2.BackingPolicy;
import io.platter.lun.qcow2.Qcow2Image;
import io.platter.scsi.ItNexus;
import io.platter.scsi.ScsiTarget;
import io.platter.scsi.sense.Sense;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes, their snapshots and clones, on the running daemon. Each operation either completes
 * (live state changed and configuration persisted) or leaves nothing behind: a failed create
 * deletes the image it made, a failed save undoes the live change.
 *
 * <p>Thread-safety: every public method holds the monitor of the {@link ManagedConfig}, so
 * management operations run one at a time.
 */
public final class VolumeManager {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeManager.class);
    /** Clusters of the qcow2 images this manager makes (64 KiB, as qemu-img). */
    private static final int CLUSTER_BITS = 16;

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
                if (format == ImageFormat.QCOW2) {
                    Qcow2Image.create(v.image(), size, CLUSTER_BITS).close();
                } else {
                    boolean thick = provisioning == Provisioning.THICK;
                    runJob(thick ? "allocate" : "create", name, size, job -> RawImage.create(v.image(), size, thick, job).close());
                }
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
     * Deletes a volume; a mapped one only with {@code force} (it is unmapped first), one whose image
     * lies outside the data directory only with {@code outsideDataDir} (a file the operator put
     * there, which a management token alone must not remove).
     */
    public Views.Done delete(String name, boolean force, boolean outsideDataDir) {
        synchronized (config) {
            VolumeConfig v = volume(name);
            if (!outsideDataDir && !inDataDir(v.image())) {
                throw ManagementException.conflict("the image of volume " + name + " is " + v.image()
                        + ", outside the data directory " + dataDir + "; nothing was deleted. Add --outside-data-dir"
                        + " to delete that file too");
            }
            List<String> clones = clonesOf(v);
            if (!clones.isEmpty()) {
                throw ManagementException.conflict("volume " + name + " is the template of " + String.join(", ", clones)
                        + "; delete or flatten those first");
            }
            Mapping m = config.mappingOf(v.image()).orElse(null);
            if (m != null && !force) {
                throw ManagementException.conflict("volume " + name + " is LUN " + m.lun().id() + " of " + m.iqn()
                        + "; unmap it first or use --force");
            }
            Path backing = v.format() == ImageFormat.QCOW2 ? backingOf(v) : null;
            if (m != null) {
                daemon.unmapLun(m.iqn(), m.lun().id());
            }
            config.update(c -> ManagedConfig.withoutVolume(
                    m == null ? c : ManagedConfig.withoutLun(c, m.iqn(), m.lun().id()), name));
            deleteImageFiles(v.image());
            releaseTemplate(backing);
            LOG.info("volume {} deleted", name);
            return new Views.Done("volume " + name + " deleted");
        }
    }

    /**
     * Resizes a volume. Growing a mapped volume is online and raises CAPACITY DATA HAS CHANGED on
     * every I_T nexus of its LUN (SBC-4 §4.10, SPC-5 Annex D); shrinking needs {@code force}.
     */
    public Views.Volume resize(String name, long newSize, boolean force) {
        synchronized (config) {
            VolumeConfig v = volume(name);
            if (newSize <= 0 || newSize % LunConfig.SIZE_GRANULARITY != 0) {
                throw ManagementException.badRequest("size must be a positive multiple of 512 bytes");
            }
            if (v.template()) {
                throw ManagementException.conflict("volume " + name + " is a template; its clones depend on its size");
            }
            MappedLun live = daemon.mappedImage(v.image());
            long old;
            try {
                if (live != null) {
                    old = live.device().size();
                    checkShrink(name, old, newSize, force);
                    live.device().resize(newSize);
                    live.unit().unitAttentions().raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
                } else {
                    try (BlockDevice device = open(v, false)) {
                        old = device.size();
                        checkShrink(name, old, newSize, force);
                        device.resize(newSize);
                    }
                }
            } catch (BlockDeviceException.NoSpace e) {
                throw ManagementException.conflict("no space to grow " + name + " to " + Sizes.format(newSize));
            } catch (IOException e) {
                throw ManagementException.conflict("cannot resize " + name + ": " + e.getMessage());
            }
            Mapping m = config.mappingOf(v.image()).orElse(null);
            if (m != null && m.lun().hasSize()) {
                LunConfig l = m.lun();
                config.update(c -> ManagedConfig.withLun(c, m.iqn(),
                        new LunConfig(l.id(), l.image(), newSize, l.format(), l.provisioning())));
            }
            LOG.info("volume {} resized from {} to {}", name, Sizes.format(old), Sizes.format(newSize));
            return show(name);
        }
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

    // ---- snapshots ----

    /**
     * Takes an internal snapshot, online. The image's write lock is the quiesce point: writes in
     * flight finish, new ones wait, the snapshot is taken, writes resume, so the snapshot holds
     * every write acknowledged before it (crash-consistent).
     */
    public Views.Snapshot snapshotCreate(String volume, String name) {
        synchronized (config) {
            requireSnapshotName(name);
            return withQcow2(volume, image -> {
                if (image.snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                    throw ManagementException.conflict("volume " + volume + " already has a snapshot " + name);
                }
                long start = System.nanoTime();
                io.platter.lun.qcow2.Snapshot s = image.createSnapshot(name);
                LOG.info("volume {}: snapshot {} taken in {} ms", volume, name, (System.nanoTime() - start) / 1_000_000);
                return snapshotView(s);
            });
        }
    }

    public List<Views.Snapshot> snapshotList(String volume) {
        synchronized (config) {
            return withQcow2(volume, image -> image.snapshots().stream().map(VolumeManager::snapshotView).toList());
        }
    }

    /**
     * Reverts a volume to a snapshot. Refused while initiators are logged in to its target unless
     * {@code force}. A forced revert replaces the medium under connected initiators, so it does
     * to the unit what a LOGICAL UNIT RESET does (SAM-5 §7.7): tasks in flight on the LUN are
     * aborted first (no status, TAS=0), the SPC-2 reservation is released and every I_T nexus gets
     * POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h, SPC-5 Table of ASC/ASCQ) on its next
     * command, plus CAPACITY DATA HAS CHANGED when the snapshot's size differs. Not REPORTED LUNS
     * DATA HAS CHANGED: the LUN inventory is the same (SPC-5 §6.33), and not NOT READY TO READY
     * CHANGE, MEDIUM MAY HAVE CHANGED: that is for removable media and the unit reports RMB=0.
     * Persistent reservations survive, as they survive a reset. A write an aborted task had
     * already handed to the I/O executor does not land on the reverted image: the revert runs
     * behind the unit's medium fence, which waits for running writes and refuses older ones.
     */
    public Views.Done snapshotRevert(String volume, String name, boolean force) {
        synchronized (config) {
            VolumeConfig v = volume(volume);
            Mapping m = config.mappingOf(v.image()).orElse(null);
            int sessions = m == null ? 0 : daemon.sessions(m.iqn()).size();
            if (sessions > 0 && !force) {
                throw ManagementException.conflict("volume " + volume + " is LUN " + m.lun().id() + " of " + m.iqn()
                        + " with " + sessions + " session(s) logged in; log them out or use --force");
            }
            MappedLun live = daemon.mappedImage(v.image());
            long sizeBefore = live == null ? -1 : live.device().size();
            withQcow2(volume, image -> {
                requireSnapshot(volume, image, name);
                if (live != null) {
                    abortTasks(live);
                    // A write an aborted task had already queued for I/O must not land on the reverted image.
                    live.unit().replaceMedium(() -> image.revertSnapshot(name));
                } else {
                    image.revertSnapshot(name);
                }
                return null;
            });
            if (live != null) {
                live.unit().reset();
                if (live.device().size() != sizeBefore) {
                    live.unit().unitAttentions().raiseAll(Sense.CAPACITY_DATA_HAS_CHANGED);
                }
            }
            LOG.info("volume {} reverted to snapshot {}", volume, name);
            return new Views.Done("volume " + volume + " reverted to snapshot " + name);
        }
    }

    /** Aborts the tasks in flight on a mapped LUN and waits (at most 10 s) until none can send status. */
    private void abortTasks(MappedLun live) {
        ScsiTarget target = daemon.targets().stream().filter(t -> t.name().equalsIgnoreCase(live.iqn()))
                .map(ExportedTarget::scsi).findFirst().orElse(null);
        if (target == null) {
            return;
        }
        try {
            Set<ItNexus> lost = target.abortTasks(live.lun()).get(10, TimeUnit.SECONDS);
            if (!lost.isEmpty()) {
                LOG.info("LUN {} of {}: tasks of {} I_T nexus(es) aborted for a revert", live.lun(), live.iqn(),
                        lost.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ManagementException.failed("interrupted while aborting the tasks of LUN " + live.lun());
        } catch (ExecutionException | TimeoutException e) {
            throw ManagementException.failed("cannot abort the tasks of LUN " + live.lun() + " of " + live.iqn()
                    + ": " + e + "; nothing was reverted");
        }
    }

    public Views.Done snapshotDelete(String volume, String name) {
        synchronized (config) {
            withQcow2(volume, image -> {
                requireSnapshot(volume, image, name);
                image.deleteSnapshot(name);
                return null;
            });
            LOG.info("volume {}: snapshot {} deleted", volume, name);
            return new Views.Done("snapshot " + name + " of " + volume + " deleted");
        }
    }

    private static void requireSnapshot(String volume, Qcow2Image image, String name) {
        if (image.snapshots().stream().noneMatch(s -> s.name().equals(name))) {
            throw ManagementException.notFound("volume " + volume + " has no snapshot " + name
                    + " (see platter snapshot list " + volume + ")");
        }
    }

    private static void requireSnapshotName(String name) {
        if (name == null || !VolumeConfig.NAME.matcher(name).matches()) {
            throw ManagementException.badRequest("bad snapshot name \"" + name
                    + "\": use 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    private static Views.Snapshot snapshotView(io.platter.lun.qcow2.Snapshot s) {
        return new Views.Snapshot(s.id(), s.name(), s.dateSeconds(), s.diskSize());
    }

    // ---- clones ----

    /**
     * Clones {@code source} into a new thin qcow2 volume whose backing file is the source's image.
     * The source becomes a read-only template: it must not be mapped, and it cannot be mapped,
     * resized or deleted while clones use it. Takes milliseconds whatever the size.
     */
    public Views.Volume clone(String source, String snapshot, String name, String iqn, int lun) {
        synchronized (config) {
            VolumeConfig src = volume(source);
            if (snapshot == null) {
                return cloneOf(src, name, iqn, lun);
            }
            VolumeConfig template = config.volume(snapshotTemplateName(source, snapshot)).orElse(null);
            boolean made = template == null;
            if (made) {
                newVolume(name, ImageFormat.QCOW2, Provisioning.THIN); // checks the new name before the copy
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
                    deleteImageFiles(template.image());
                }
                throw e;
            }
        }
    }

    /** {@code SOURCE--SNAPSHOT}: the read-only template a snapshot is materialised into for clones. */
    static String snapshotTemplateName(String source, String snapshot) {
        requireSnapshotName(snapshot);
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
        VolumeConfig t = newVolume(name, ImageFormat.QCOW2, Provisioning.THIN).withTemplate(true);
        long start = System.nanoTime();
        withQcow2(src.name(), image -> {
            requireSnapshot(src.name(), image, snapshot);
            long size = image.snapshots().stream().filter(s -> s.name().equals(snapshot)).findFirst()
                    .map(io.platter.lun.qcow2.Snapshot::diskSize).filter(d -> d >= 0).orElse(image.size());
            runJob("materialise", name, size, job -> image.materialiseSnapshot(snapshot, t.image(), job));
            return null;
        });
        try {
            config.update(c -> ManagedConfig.withVolume(c, t));
        } catch (RuntimeException e) {
            deleteImageFiles(t.image());
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
        if (!inDataDir(src.image())) {
            throw ManagementException.conflict("the image of volume " + source + " is outside the data directory "
                    + dataDir + ", where the daemon follows no backing file; import a copy (--copy) and clone that");
        }
        VolumeConfig v = newVolume(name, ImageFormat.QCOW2, Provisioning.THIN);
        long size;
        try (BlockDevice device = open(src, true)) {
            size = device.size();
        } catch (IOException e) {
            throw ManagementException.failed("cannot open " + source + ": " + e.getMessage());
        }
        LunConfig mapping = iqn == null ? null : lunFor(iqn, lun, v, size);
        // Same directory: the backing name is stored relative, so the pair can move together.
        String backing = src.image().getParent().equals(v.image().getParent())
                ? src.image().getFileName().toString() : src.image().toString();
        try {
            Qcow2Image.create(v.image(), size, CLUSTER_BITS, backing, src.format().word()).close();
        } catch (IOException e) {
            throw ManagementException.failed("cannot create " + v.image() + ": " + e.getMessage());
        }
        try {
            if (!src.template()) {
                config.update(c -> ManagedConfig.withVolume(c, src.withTemplate(true)));
            }
            commitNew(v, mapping == null ? null : iqn, mapping);
        } catch (RuntimeException e) {
            deleteImageFiles(v.image());
            throw e;
        }
        LOG.info("volume {} cloned from {} in {} ms", name, source, (System.nanoTime() - start) / 1_000_000);
        return show(name);
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
            VolumeConfig v = volume(name);
            Path backing = v.format() == ImageFormat.QCOW2 ? backingOf(v) : null;
            if (backing == null) {
                throw ManagementException.conflict("volume " + name + " has no backing file; nothing to flatten");
            }
            long start = System.nanoTime();
            withQcow2(name, image -> {
                runJob("flatten", name, image.size(), image::flatten);
                return null;
            });
            releaseTemplate(backing);
            LOG.info("volume {} flattened (no longer backed by {}) in {} ms", name, backing,
                    (System.nanoTime() - start) / 1_000_000);
            return show(name);
        }
    }

    /**
     * Adopts an existing image of the data directory as a volume, in place or copied ({@code
     * copy}); the checks and the all-or-nothing rule are {@link VolumeImport}'s.
     */
    public Views.Volume importVolume(String name, String file, ImageFormat format, boolean copy, String iqn,
                                     int lun) {
        synchronized (config) {
            return new VolumeImport(this, config, dataDir).run(name, file, format, copy, iqn, lun);
        }
    }

    /** Clears the template flag of the volume at {@code image} once no clone uses it. */
    private void releaseTemplate(Path image) {
        VolumeConfig t = image == null ? null : config.volumeOfImage(image).orElse(null);
        if (t != null && t.template() && clonesOf(t).isEmpty()) {
            config.update(c -> ManagedConfig.withVolume(c, t.withTemplate(false)));
            LOG.info("volume {} has no clones left and is no longer a template", t.name());
        }
    }

    // ---- group snapshots ----

    /**
     * Takes snapshot {@code name} of several qcow2 volumes at one crash-consistent instant: writes
     * to all of them pause (their images' write locks, taken in path order), each is snapshotted,
     * writes resume. If one fails, the snapshots already taken are deleted. The pause is logged.
     */
    public Views.GroupSnapshot snapshotCreateGroup(String group, List<String> volumes, String name) {
        synchronized (config) {
            requireSnapshotName(name);
            if (volumes.isEmpty() || volumes.stream().distinct().count() != volumes.size()) {
                throw ManagementException.badRequest("a group snapshot needs distinct volumes");
            }
            List<Qcow2Image> images = new ArrayList<>();
            List<Qcow2Image> opened = new ArrayList<>();
            try {
                for (String vol : volumes) {
                    VolumeConfig v = volume(vol);
                    if (v.format() != ImageFormat.QCOW2) {
                        throw ManagementException.badRequest("volume " + vol + " is raw; snapshots need a qcow2 volume");
                    }
                    if (v.template()) {
                        throw ManagementException.conflict("volume " + vol + " is a read-only template");
                    }
                    MappedLun live = daemon.mappedImage(v.image());
                    Qcow2Image image;
                    if (live != null) {
                        image = (Qcow2Image) live.device();
                    } else {
                        image = Qcow2Image.open(v.image(), false, backingPolicy());
                        opened.add(image);
                    }
                    if (image.snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                        throw ManagementException.conflict("volume " + vol + " already has a snapshot " + name);
                    }
                    images.add(image);
                }
                long start = System.nanoTime();
                Qcow2Image.createSnapshots(images, name);
                long pauseMillis = (System.nanoTime() - start) / 1_000_000;
                LOG.info("group {}: snapshot {} of {} taken; writes paused {} ms", group, name,
                        String.join(", ", volumes), pauseMillis);
                return new Views.GroupSnapshot(group, name, List.copyOf(volumes), pauseMillis);
            } catch (IOException e) {
                throw ManagementException.conflict("group " + group + ": no snapshot taken: " + e.getMessage());
            } finally {
                for (Qcow2Image i : opened) {
                    try {
                        i.close();
                    } catch (IOException e) {
                        LOG.warn("cannot close {}: {}", i.file(), e.getMessage());
                    }
                }
            }
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
                daemon.mapLun(name, lun);
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

    private List<String> clonesOf(VolumeConfig v) {
        List<String> out = new ArrayList<>();
        if (!v.template()) {
            return out;
        }
        for (VolumeConfig other : config.get().volumes()) {
            if (other.format() == ImageFormat.QCOW2 && !other.name().equals(v.name())) {
                Path backing = backingOf(other);
                if (v.image().equals(backing)) {
                    out.add(other.name());
                }
            }
        }
        return out;
    }

    /** The backing image of a qcow2 volume (absolute), or null. */
    private Path backingOf(VolumeConfig v) {
        MappedLun live = daemon.mappedImage(v.image());
        String name = null;
        if (live != null && live.device() instanceof Qcow2Image q) {
            name = q.backingFile();
        } else if (v.format() == ImageFormat.QCOW2) {
            try (Qcow2Image q = Qcow2Image.open(v.image(), true, backingPolicy())) {
                name = q.backingFile();
            } catch (IOException e) {
                LOG.warn("cannot open {}: {}", v.image(), e.getMessage());
            }
        }
        return name == null ? null : v.image().getParent().resolve(name).toAbsolutePath().normalize();
    }

    private BlockDevice open(VolumeConfig v, boolean readOnly) throws IOException {
        return v.format() == ImageFormat.QCOW2 ? Qcow2Image.open(v.image(), readOnly, backingPolicy())
                : RawImage.open(v.image(), readOnly, v.provisioning() == Provisioning.THIN);
    }

    /** Something done with a qcow2 volume's image, open (the live one when mapped) for writing. */
    private interface ImageAction<T> {
        T apply(Qcow2Image image) throws IOException;
    }

    private <T> T withQcow2(String volume, ImageAction<T> action) {
        VolumeConfig v = volume(volume);
        if (v.format() != ImageFormat.QCOW2) {
            throw ManagementException.badRequest("volume " + volume + " is raw; snapshots need a qcow2 volume");
        }
        try {
            MappedLun live = daemon.mappedImage(v.image());
            if (live != null) {
                return action.apply((Qcow2Image) live.device());
            }
            try (Qcow2Image image = Qcow2Image.open(v.image(), v.template(), backingPolicy())) {
                return action.apply(image);
            }
        } catch (ManagementException e) {
            throw e;
        } catch (IOException e) {
            throw ManagementException.conflict(volume + ": " + e.getMessage());
        }
    }

    Views.Volume view(VolumeConfig v) {
        MappedLun live = daemon.mappedImage(v.image());
        long size = -1;
        int snapshots = 0;
        if (live != null) {
            size = live.device().size();
            if (live.device() instanceof Qcow2Image q) {
                snapshots = q.snapshots().size();
            }
        } else {
            try (BlockDevice d = open(v, true)) {
                size = d.size();
                if (d instanceof Qcow2Image q) {
                    snapshots = q.snapshots().size();
                }
            } catch (IOException e) {
                LOG.warn("cannot open {}: {}", v.image(), e.getMessage());
            }
        }
        Mapping m = config.mappingOf(v.image()).orElse(null);
        Path backing = v.format() == ImageFormat.QCOW2 ? backingOf(v) : null;
        String backingName = backing == null ? null
                : config.volumeOfImage(backing).map(VolumeConfig::name).orElse(backing.toString());
        return new Views.Volume(v.name(), v.format().word(), v.provisioning().word(), size,
                Pool.allocatedBytes(v.image()), v.image().toString(), v.template(), backingName,
                m == null ? null : m.iqn(), m == null ? -1 : m.lun().id(), snapshots);
    }

    /** Deletes an image and its sidecars (identity, saved mode pages, APTPL reservations). */
    static void deleteImageFiles(Path image) {
        for (Path p : List.of(image, ImageIdentity.sidecar(image),
                image.resolveSibling(image.getFileName() + ".mode"),
                image.resolveSibling(image.getFileName() + ".pr"))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", p, e.getMessage());
            }
        }
    }
}

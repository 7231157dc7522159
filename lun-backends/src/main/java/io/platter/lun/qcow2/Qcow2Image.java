package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.IoErrors;
import io.platter.lun.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * A qcow2 image (QEMU docs/interop/qcow2.txt) as a thin {@link BlockDevice}: guest clusters map
 * through the L1 and L2 tables to host clusters, allocated on first write, with copy-on-write
 * from the backing file, from compressed clusters and from clusters shared with internal snapshots.
 *
 * <p>Crash ordering: allocating writes and discards write new data clusters and refcount
 * increments at once, without a barrier, and change L2 entries (and L1 entries, when an L2 table
 * is added or copied) only in memory: the changed L2 tables are pinned in the cache, dirty, so
 * reads and later writes see them. {@link ClusterMap#commitMetadata} makes them durable in dependency order,
 * as QEMU's qcow2 cache does: barrier (data and refcounts durable), dirty L2 tables, barrier, dirty
 * L1 entries, barrier, then the references dropped since the last commit are released (so a freed
 * cluster is reused only once no durable entry points at it). A crash at any instant thus leaves
 * the old mapping or the new one, with at worst leaked clusters. The commit runs on
 * {@link #flush()}, on every durable (FUA or write-through) write, before snapshots and resizes,
 * and when too many L2 tables are dirty, too many references wait to be dropped or the oldest
 * change is a few seconds old.
 *
 * <p>Why write-back rather than a group commit of each allocating write: with a group commit
 * every allocation still waits for a barrier (shared by whoever is in flight), while write-back
 * pays the barriers only when the initiator asks for durability, which is what the SCSI write
 * cache contract (WCE=1 until SYNCHRONIZE CACHE or FUA) promises and what a raw thin image costs.
 *
 * <p>Thread-safety: the metadata (header, L1 table, L2 and refcount caches, snapshot list, the
 * journal of dirty metadata) lives in one {@link ClusterMap}, whose lock guards it. Reads and
 * in-place writes to clusters owned by this image alone run under its read lock, in parallel;
 * anything that allocates or frees takes the write lock, which also serialises concurrent writes
 * to the same unallocated cluster; so does {@link ClusterMap#commitMetadata}. The backing device
 * is replaced only under the write lock. Metadata caches are bounded
 * ({@link ClusterMap#CACHE_BYTES} each; dirty L2 tables are committed before they fill half of it).
 */
public final class Qcow2Image implements BlockDevice {

    private static final int MAX_CHAIN = 32;

    private final ImageFile file;
    private final boolean readOnly;
    private final int clusterSize;
    /** The metadata and its lock; its javadoc names the lock that guards each part. */
    private final ClusterMap map;
    /** Guest reads and writes through {@code map}. */
    private final ClusterIo guestIo;
    private volatile boolean closed;

    private Qcow2Image(ImageFile file, Header header, boolean readOnly, long fileLength, long[] l1,
            BlockDevice backing, String backingName, List<Snapshot> snapshots) throws BlockDeviceException {
        this.file = file;
        this.readOnly = readOnly;
        this.clusterSize = header.clusterSize();
        this.map = new ClusterMap(file, header, readOnly, fileLength, l1, snapshots, backing, backingName);
        this.guestIo = new ClusterIo(map);
    }

    // ---- create and open ----

    /** Creates an empty version 3 image of {@code size} bytes with 64 KiB clusters. */
    public static Qcow2Image create(Path path, long size) throws IOException {
        return create(path, size, 16, null, null);
    }

    /** Creates an empty version 3 image with {@code 1 << clusterBits}-byte clusters. */
    public static Qcow2Image create(Path path, long size, int clusterBits) throws IOException {
        return create(path, size, clusterBits, null, null);
    }

    /**
     * Creates an empty version 3 image, optionally over a backing file ({@code backingFormat}
     * "raw" or "qcow2"; the name is stored as given, relative names resolve against the image's
     * directory). Fails if {@code path} exists; a half-made file is deleted.
     */
    public static Qcow2Image create(Path path, long size, int clusterBits, String backingFile, String backingFormat)
            throws IOException {
        io.platter.lun.PrivateFiles.createFile(path);   // 0600, whatever the umask
        try {
            ImageLayout.write(path, size, clusterBits, backingFile, backingFormat);
            return open(path, false);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Opens an existing image; its backing chain is opened read-only, wherever its names point
     * ({@link BackingPolicy#ANY}): only for images the operator trusts.
     */
    public static Qcow2Image open(Path path, boolean readOnly) throws IOException {
        return open(path, readOnly, BackingPolicy.ANY);
    }

    /** Opens an existing image; its backing chain is opened read-only where {@code policy} allows. */
    public static Qcow2Image open(Path path, boolean readOnly, BackingPolicy policy) throws IOException {
        return open(path, readOnly, new HashSet<>(), policy);
    }

    private static Qcow2Image open(Path path, boolean readOnly, Set<Path> chain, BackingPolicy policy)
            throws IOException {
        Path real = path.toRealPath();
        if (!chain.add(real)) {
            throw new Qcow2FormatException("backing file loop: " + real + " is its own backing file");
        }
        if (chain.size() > MAX_CHAIN) {
            throw new Qcow2FormatException("backing chain longer than " + MAX_CHAIN + " images");
        }
        ImageFile file = ImageFile.open(path, readOnly);
        BlockDevice backing = null;
        try {
            long fileLength = file.length();
            ByteBuffer first = ByteBuffer.allocate((int) Math.min(1 << Header.MAX_CLUSTER_BITS, Math.max(fileLength, 0)));
            file.read(0, first);
            first.flip();
            Header h = Header.parse(first);
            if (fileLength < h.clusterSize()) {
                throw new Qcow2FormatException(path + " is shorter than one cluster");
            }
            first.limit(h.clusterSize());
            if (!readOnly && (Feature.DIRTY.in(h.incompatibleFeatures()) || Feature.CORRUPT.in(h.incompatibleFeatures()))) {
                throw new Qcow2FormatException(path + " is marked dirty or corrupt; repair it (qemu-img check -r all) first");
            }
            List<HeaderExtension> extensions = HeaderExtension.parseAll(first, h.length(),
                    h.hasBackingFile() ? (int) h.backingFileOffset() : h.clusterSize());
            long[] l1 = readL1(file, h, fileLength);
            List<Snapshot> snapshots = readSnapshots(file, h, fileLength);
            String backingName = null;
            if (h.hasBackingFile()) {
                byte[] name = new byte[h.backingFileSize()];
                first.get((int) h.backingFileOffset(), name);
                backingName = new String(name, StandardCharsets.UTF_8);
                String format = null;
                for (HeaderExtension e : extensions) {
                    if (e.is(HeaderExtension.Type.BACKING_FORMAT)) {
                        format = e.text();
                    }
                }
                backing = openBacking(real, backingName, format, chain, policy);
            }
            if (!readOnly && h.autoclearFeatures() != 0 && h.version() >= 3) {
                // Unknown auto-clear features must be cleared before writing (qcow2.txt, autoclear_features).
                file.write(Header.OFFSET_AUTOCLEAR, ByteBuffer.allocate(8));
                file.force();
            }
            return new Qcow2Image(file, h, readOnly, fileLength, l1, backing, backingName, snapshots);
        } catch (IOException | RuntimeException e) {
            if (backing != null) {
                backing.close();
            }
            file.close();
            throw e;
        }
    }

    private static long[] readL1(ImageFile file, Header h, long fileLength) throws BlockDeviceException {
        long needed = Header.l1EntriesFor(h.size(), h.clusterBits());
        long bytes = (long) h.l1Size() * 8;
        if (h.l1Size() < needed) {
            throw new Qcow2FormatException("L1 table of " + h.l1Size() + " entries is too small for " + h.size() + " bytes");
        }
        if (bytes > ClusterMap.MAX_L1_BYTES) {
            throw new Qcow2FormatException("L1 table of " + h.l1Size() + " entries is larger than 32 MiB");
        }
        return ClusterMap.readL1Table(file, h.l1TableOffset(), h.l1Size(), h.clusterSize(), fileLength);
    }

    private static List<Snapshot> readSnapshots(ImageFile file, Header h, long fileLength) throws BlockDeviceException {
        if (h.nbSnapshots() == 0) {
            return new ArrayList<>();
        }
        if (h.snapshotsOffset() <= 0 || h.snapshotsOffset() >= fileLength) {
            throw new Qcow2FormatException("snapshot table offset " + h.snapshotsOffset() + " is past the end of the file");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) Math.min(fileLength - h.snapshotsOffset(), 16L << 20));
        file.read(h.snapshotsOffset(), raw);
        return new ArrayList<>(Snapshot.parseTable(raw.flip(), h.nbSnapshots()));
    }

    private static BlockDevice openBacking(Path image, String name, String format, Set<Path> chain,
            BackingPolicy policy) throws IOException {
        Path path = policy.resolve(image, name, format);
        if (!Files.exists(path)) {
            throw new Qcow2FormatException("backing file " + path + " of " + image + " does not exist");
        }
        if (format == null) {
            format = probeFormat(path);
        }
        switch (format) {
            case "qcow2":
                return open(path, true, chain, policy);
            case "raw":
                return RawImage.open(path, true, true);
            default:
                throw new Qcow2FormatException("backing file format '" + format + "' is not supported");
        }
    }

    private static String probeFormat(Path path) throws IOException {
        try (var in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && ByteBuffer.wrap(magic).getInt() == Header.MAGIC ? "qcow2" : "raw";
        }
    }

    // ---- accessors ----

    public Header header() {
        return map.header();
    }

    /** The backing file name as stored in the image, or null. */
    public String backingFile() {
        return map.backingName();
    }

    public Path file() {
        return file.path();
    }

    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public boolean thin() {
        return true;
    }

    /**
     * The space the file system gives the image file: data plus metadata, without the holes
     * punched in freed clusters (its length when that cannot be asked).
     */
    @Override
    public long allocatedBytes() {
        try {
            return file.allocatedBytes();
        } catch (BlockDeviceException e) {
            return map.size();
        }
    }

    // ---- guest I/O (mapping and allocation in ClusterIo) ----

    /** {@inheritDoc} Does not take ownership of {@code dst}. */
    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        ensureOpen();
        checkRange(offset, length);
        guestIo.read(offset, length, dst);
    }

    /**
     * {@inheritDoc} Only a read inside one allocated cluster whose L2 table is cached, while no
     * allocating write or metadata change holds the lock: its host range is read with RWF_NOWAIT.
     */
    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        int inCluster = (int) (offset & (clusterSize - 1));
        if (length == 0 || inCluster + length > clusterSize || closed) {
            return false;
        }
        checkRange(offset, length);
        if (!map.lock().readLock().tryLock()) {
            return false;
        }
        try {
            if (closed) {
                return false;
            }
            L2Entry e = new L2Entry(map.cachedEntry(offset));
            return e.kind() == L2Entry.Kind.NORMAL && file.readIfCached(map.checkedHost(e, offset) + inCluster, length, dst);
        } finally {
            map.lock().readLock().unlock();
        }
    }

    /** {@inheritDoc} Does not take ownership of {@code src}; its reader index is unchanged. */
    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        ensureWritable();
        int length = src.readableBytes();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        guestIo.write(offset, src, length);
        if (durable) {
            flush();
        }
    }

    /** {@inheritDoc} Commits dirty metadata ({@link ClusterMap#commitMetadata}) first when there is any. */
    @Override
    public void flush() throws BlockDeviceException {
        ensureOpen();
        if (readOnly) {
            return;
        }
        if (map.metadataDirty()) {
            map.lock().writeLock().lock();
            try {
                map.commitMetadata();
            } finally {
                map.lock().writeLock().unlock();
            }
        }
        file.force();
    }

    /**
     * {@inheritDoc} Whole clusters are deallocated (made zero clusters when a backing file could
     * show through, which version 2 cannot express, so there zeros are written); partial clusters
     * are zeroed unless they already read as zeros.
     */
    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        ensureWritable();
        checkRange(offset, length);
        guestIo.discard(offset, length);
    }

    /**
     * {@inheritDoc} Mapped: data in this image (standard or compressed clusters) or in the backing
     * chain; unmapped: zero clusters and clusters reading as zeros from nowhere.
     */
    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        ensureOpen();
        return guestIo.extentAt(offset);
    }

    // ---- snapshots ----

    /** The internal snapshots, in table order. */
    public List<Snapshot> snapshots() {
        map.lock().readLock().lock();
        try {
            return List.copyOf(map.snapshots());
        } finally {
            map.lock().readLock().unlock();
        }
    }

    /** Takes an internal snapshot of the current contents (like {@code qemu-img snapshot -c}). */
    public Snapshot createSnapshot(String name) throws BlockDeviceException {
        ensureWritable();
        map.lock().writeLock().lock();
        try {
            return new InternalSnapshots(map).create(name);
        } finally {
            map.lock().writeLock().unlock();
        }
    }

    /**
     * Makes a snapshot's contents current (like {@code qemu-img snapshot -a}); {@code idOrName} as
     * QEMU matches it. The image takes the disk size the snapshot recorded, so a snapshot taken
     * before a grow (or a shrink) reverts to its own size.
     */
    public void revertSnapshot(String idOrName) throws BlockDeviceException {
        ensureWritable();
        map.lock().writeLock().lock();
        try {
            new InternalSnapshots(map).revert(idOrName);
        } finally {
            map.lock().writeLock().unlock();
        }
    }

    /** Deletes a snapshot (like {@code qemu-img snapshot -d}). */
    public void deleteSnapshot(String idOrName) throws BlockDeviceException {
        ensureWritable();
        map.lock().writeLock().lock();
        try {
            new InternalSnapshots(map).delete(idOrName);
        } finally {
            map.lock().writeLock().unlock();
        }
    }

    /**
     * Changes the guest size (like {@code qemu-img resize}). Growing may move the L1 table to a
     * longer one; the new area reads as zeros. Shrinking refuses while any byte past the new end
     * is mapped unless {@code force}, which discards that tail; it also refuses when the image has
     * internal snapshots, as QEMU does.
     */
    public void resize(long newSize, boolean force) throws BlockDeviceException {
        if (newSize <= 0 || newSize % 512 != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 512: " + newSize);
        }
        ensureWritable();
        map.lock().writeLock().lock();
        try {
            new ImageResize(this).resize(newSize, force);
        } finally {
            map.lock().writeLock().unlock();
        }
    }

    /**
     * {@inheritDoc} The caller (the volume manager) has already required --force for a shrink, so
     * a mapped tail is discarded.
     */
    @Override
    public void resize(long newSize) throws BlockDeviceException {
        resize(newSize, true);
    }

    BlockDevice backing() {
        return map.backing();
    }

    // ---- backing chain copies ----

    /**
     * Makes this overlay independent of its backing chain, online: copies every cluster it still
     * reads from the chain (skipping ranges that read as zeros), then drops the backing reference
     * from the header. Writes racing with it win: a cluster is copied only while it is still
     * unallocated here. Refused while the image has internal snapshots (they would lose the
     * backing data they show). {@code progress} receives the guest bytes done so far.
     */
    public void flatten(LongConsumer progress) throws BlockDeviceException {
        ensureWritable();
        new BackingCopy(this, guestIo).flatten(progress);
    }

    /**
     * Writes internal snapshot {@code idOrName} into a new image at {@code path} with this
     * image's backing file and the snapshot's disk size, copying only what the snapshot maps
     * (thin). On failure the new file is deleted. {@code progress} receives guest bytes done.
     */
    public void materialiseSnapshot(String idOrName, Path path, LongConsumer progress) throws IOException {
        ensureOpen();
        Snapshot s = snapshots().stream().filter(x -> x.id().equals(idOrName)).findFirst()
                .or(() -> snapshots().stream().filter(x -> x.name().equals(idOrName)).findFirst())
                .orElseThrow(() -> new BlockDeviceException("no snapshot '" + idOrName + "' in " + file.path()));
        long diskSize = s.diskSize() >= 0 ? s.diskSize() : map.size();
        BackingCopy copy = new BackingCopy(this, guestIo);
        try (Qcow2Image target = copy.createTarget(path, diskSize)) {
            try {
                copy.materialise(s.id(), target, progress);
            } catch (BlockDeviceException | RuntimeException e) {
                target.close();
                Files.deleteIfExists(path);
                throw e;
            }
        }
    }

    /**
     * Takes snapshot {@code name} of every image at one instant (crash-consistent across them):
     * the write locks are taken in the order of the images' paths, so two groups never deadlock,
     * every snapshot is taken, then all locks are released. If one fails, those already taken are
     * deleted and the failure is thrown. Returns the snapshots in the order of {@code images}.
     */
    public static List<Snapshot> createSnapshots(List<Qcow2Image> images, String name) throws BlockDeviceException {
        List<Qcow2Image> order = new ArrayList<>(images);
        order.sort(Comparator.comparing(i -> i.file().toAbsolutePath().toString()));
        for (Qcow2Image i : order) {
            i.ensureWritable();
        }
        List<Snapshot> taken = InternalSnapshots.createAll(order.stream().map(i -> i.map).toList(), name);
        return images.stream().map(i -> taken.get(order.indexOf(i))).toList();
    }

    ImageFile imageFile() {
        return file;
    }

    /** The metadata state the helper classes of this package work on, under its lock. */
    ClusterMap clusterMap() {
        return map;
    }

    // ---- close and checks ----

    /** Releases pending references, flushes, closes the file and the backing chain. Idempotent. */
    @Override
    public void close() throws BlockDeviceException {
        synchronized (this) {
            if (closed) {
                return;
            }
            BlockDeviceException failure = null;
            try {
                flush();
            } catch (BlockDeviceException e) {
                failure = e;
            }
            closed = true;
            try {
                BlockDevice backing = map.backing();
                if (backing != null) {
                    backing.close();
                }
            } catch (BlockDeviceException e) {
                failure = failure != null ? failure : e;
            }
            map.lock().writeLock().lock(); // no readIfCached is using the descriptor
            try {
                file.close();
            } catch (BlockDeviceException e) {
                failure = failure != null ? failure : e;
            } finally {
                map.lock().writeLock().unlock();
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void ensureOpen() throws BlockDeviceException {
        if (closed) {
            throw new BlockDeviceException(file.path() + ": device is closed");
        }
    }

    private void ensureWritable() throws BlockDeviceException {
        ensureOpen();
        if (readOnly) {
            throw new BlockDeviceException.ReadOnly(file.path() + " is open read-only");
        }
    }

    private void checkRange(long offset, long length) throws BlockDeviceException.OutOfRange {
        long size = map.size();
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new BlockDeviceException.OutOfRange(offset, length, size);
        }
    }

    @Override
    public String toString() {
        return "Qcow2Image[" + file.path() + ", " + map.size() + " bytes, v" + map.header().version() + ", "
                + clusterSize + "-byte clusters" + (map.backingName() != null ? ", backing " + map.backingName() : "")
                + (readOnly ? ", read-only" : "") + "]";
    }

    static BlockDeviceException io(String what, IOException e) {
        return IoErrors.map(what, e);
    }
}

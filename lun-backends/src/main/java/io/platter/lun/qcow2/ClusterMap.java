package io.platter.lun.qcow2;

import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The mutable metadata of one open qcow2 image (qcow2.txt "Cluster mapping", "Host cluster
 * management", "Snapshots"): the header as last written, the active L1 table, the L2 table and
 * refcount caches, the snapshot list, the backing device, and the journal of metadata changed in memory and not yet on
 * disk, which {@link #commitMetadata} writes back in dependency order (see {@link Qcow2Image}).
 *
 * <p>Lock discipline: one {@link #lock()} guards everything here. Mapping lookups
 * ({@link #entryAt}, {@link #cachedEntry}, {@link #l1()}, {@link #snapshots()}) need the read
 * lock (or the write lock); anything that allocates, frees, changes an L1 or L2 entry, commits
 * the journal or replaces the geometry needs the write lock. {@link #header()}, {@link #size()},
 * {@link #backing()} and {@link #metadataDirty()} are volatile and may be read without the lock;
 * they change only under the write lock.
 * The caches themselves are thread-safe for concurrent readers holding the read lock.
 */
final class ClusterMap {

    /** Memory budget of each metadata cache (L2 tables; refcount blocks). */
    static final long CACHE_BYTES = 4L << 20;
    /** QEMU's limit on the L1 table (32 MiB). */
    static final long MAX_L1_BYTES = 32L << 20;
    /** Dropped references are released once this many are pending, even without a flush. */
    private static final int MAX_PENDING_FREES = 4096;
    /**
     * Metadata dirty longer than this is committed by the next allocating write even without a
     * flush, so a crash after a long run of unflushed writes loses (and leaks) no more than a few
     * seconds of allocations, about what the page cache would hold for a raw image.
     */
    private static final long MAX_DIRTY_NANOS = 5_000_000_000L;

    private final ImageFile file;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int clusterBits;
    private final int clusterSize;
    private final int l2Bits;
    private final long fileLengthAtOpen;
    /** The header as last written (size and L1 change on resize). Written under the write lock. */
    private volatile Header header;
    /** Guest size; changes only on resize and on a revert across a resize, under the write lock. */
    private volatile long size;
    /** The active L1 table; replaced by a longer one when a resize grows it. Guarded by {@code lock}. */
    private long[] l1;
    /** Guarded by {@code lock}. */
    private long l1Offset;
    /** L2 tables by host offset; read under the read lock, changed under the write lock. */
    private final MetadataCache l2Cache;
    /** Null when read-only. Guarded by the write lock (reads of counts under the read lock). */
    private final Refcounts refcounts;
    /** Guarded by {@code lock}; replaced, never mutated. */
    private List<Snapshot> snapshots;
    /** Raw L2 entries (or L2 table offsets) whose references are to be released. Guarded by the write lock. */
    private final List<Long> pendingFrees = new ArrayList<>();
    /** Pinned L2 tables with changes not on disk: host offset to the changed byte range {first, end}. Guarded by the write lock. */
    private final Map<Long, int[]> dirtyL2 = new HashMap<>();
    /** L1 indexes changed in memory and not on disk. Guarded by the write lock. */
    private final Set<Integer> dirtyL1 = new TreeSet<>();
    /** Whether {@link #commitMetadata} has anything to do; written under the write lock, read without it. */
    private volatile boolean metadataDirty;
    /** {@link System#nanoTime} when {@code metadataDirty} last became true. Guarded by the write lock. */
    private long dirtySince;
    /** Dirty L2 tables that trigger a commit: half the cache, so pinned tables never crowd it out. */
    private final int maxDirtyL2;
    /** What unallocated clusters read through: null without a backing file and after a flatten. Replaced under the write lock. */
    private volatile BlockDevice backing;
    /** The backing file name as stored in the header, or null. Replaced under the write lock. */
    private volatile String backingName;

    ClusterMap(ImageFile file, Header header, boolean readOnly, long fileLength, long[] l1, List<Snapshot> snapshots,
            BlockDevice backing, String backingName) throws BlockDeviceException {
        this.file = file;
        this.backing = backing;
        this.backingName = backingName;
        this.header = header;
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.l2Bits = clusterBits - 3;
        this.size = header.size();
        this.fileLengthAtOpen = fileLength;
        this.l1 = l1;
        this.l1Offset = header.l1TableOffset();
        this.l2Cache = new MetadataCache(file, clusterSize, CACHE_BYTES);
        this.maxDirtyL2 = Math.max(1, l2Cache.capacity() / 2);
        this.snapshots = snapshots;
        this.refcounts = readOnly ? null : Refcounts.load(file, header, fileLength, CACHE_BYTES, this::clusterFreed);
    }

    /** Reads an L1 table, refusing entries that are unaligned or point past the end of the file. */
    static long[] readL1Table(ImageFile file, long offset, int entries, int clusterSize, long fileLength)
            throws BlockDeviceException {
        long bytes = (long) entries * 8;
        if (entries > 0 && (offset <= 0 || offset + bytes > fileLength)) {
            throw new Qcow2FormatException("L1 table at " + offset + " (" + entries + " entries) runs past the end of the file");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) bytes).order(ByteOrder.BIG_ENDIAN);
        file.read(offset, raw);
        long[] l1 = new long[entries];
        raw.flip().asLongBuffer().get(l1);
        long fileEnd = Refcounts.roundUp(fileLength, clusterSize);
        for (int i = 0; i < entries; i++) {
            long l2 = l1[i] & L1Entry.OFFSET_MASK;
            if (l2 != 0 && ((l2 & (clusterSize - 1)) != 0 || l2 + clusterSize > fileEnd)) {
                throw new Qcow2FormatException("L1 entry " + i + " points to " + l2
                        + ", unaligned or past the end of the file");
            }
        }
        return l1;
    }

    // ---- state (lock discipline in the class javadoc) ----

    ReentrantReadWriteLock lock() {
        return lock;
    }

    ImageFile file() {
        return file;
    }

    int clusterBits() {
        return clusterBits;
    }

    int clusterSize() {
        return clusterSize;
    }

    Header header() {
        return header;
    }

    long size() {
        return size;
    }

    /** The active L1 table; the caller holds the lock and does not modify it. */
    long[] l1() {
        return l1;
    }

    /** Caller holds the lock. */
    long l1Offset() {
        return l1Offset;
    }

    /** The snapshot list, never modified in place. Caller holds the lock. */
    List<Snapshot> snapshots() {
        return snapshots;
    }

    /** The backing device, or null; may be read without the lock (a volatile read). */
    BlockDevice backing() {
        return backing;
    }

    String backingName() {
        return backingName;
    }

    /** Null when read-only. Caller holds the write lock to change counts. */
    Refcounts refcounts() {
        return refcounts;
    }

    /** The L2 table at host offset {@code l2}, loaded if need be; the caller holds the lock and does not modify it. */
    ByteBuffer l2Table(long l2) throws BlockDeviceException {
        return l2Cache.get(l2);
    }

    /** Forgets a cached L2 table whose cluster was freed or overwritten. Caller holds the write lock. */
    void invalidate(long l2) {
        l2Cache.invalidate(l2);
    }

    /** One past the last host byte in use (the file length at open when read-only). */
    long dataEnd() {
        return refcounts != null ? refcounts.endOffset() : Refcounts.roundUp(fileLengthAtOpen, clusterSize);
    }

    boolean metadataDirty() {
        return metadataDirty;
    }

    // ---- mapping ----

    int l1Index(long guest) {
        return (int) (guest >>> (clusterBits + l2Bits));
    }

    int l2Index(long guest) {
        return (int) ((guest >>> clusterBits) & ((1 << l2Bits) - 1));
    }

    /** The L2 entry mapping {@code guest}; unallocated when there is no L2 table. Caller holds the lock. */
    L2Entry entryAt(long guest) throws BlockDeviceException {
        long l2 = l1[l1Index(guest)] & L1Entry.OFFSET_MASK;
        if (l2 == 0) {
            return L2Entry.UNALLOCATED;
        }
        return new L2Entry(l2Cache.get(l2).getLong(l2Index(guest) * 8));
    }

    /**
     * The raw L2 entry mapping {@code guest} if its table is cached, else 0 (unallocated): never
     * reads the file. Caller holds the lock (the cached read path takes it with tryLock).
     */
    long cachedEntry(long guest) {
        long l2 = l1[l1Index(guest)] & L1Entry.OFFSET_MASK;
        ByteBuffer table = l2 == 0 ? null : l2Cache.peek(l2);
        return table == null ? 0 : table.getLong(l2Index(guest) * 8);
    }

    /** The host offset of a standard entry, refused when past the end of the data or with reserved bits set. */
    long checkedHost(L2Entry e, long guest) throws Qcow2FormatException {
        long host = e.hostOffset();
        if (host + clusterSize > dataEnd() || (e.raw() & L2Entry.STANDARD_RESERVED) != 0) {
            throw new Qcow2FormatException(file.path() + ": L2 entry for guest offset " + guest
                    + " points to " + host + ", past the end of the file or with reserved bits set");
        }
        return host;
    }

    /** Whether the cluster at {@code guest} and its L2 table are owned by the active table alone. Caller holds the lock. */
    boolean ownedInPlace(long guest) throws BlockDeviceException {
        long l1e = l1[l1Index(guest)];
        if ((l1e & L1Entry.COPIED) == 0 || (l1e & L1Entry.OFFSET_MASK) == 0) {
            return false;
        }
        L2Entry e = entryAt(guest);
        if (e.kind() != L2Entry.Kind.NORMAL || !e.copied()) {
            return false;
        }
        checkedHost(e, guest);
        return true;
    }

    // ---- the journal ----

    /** L2 changes of one request and the references they drop, applied by {@link #apply} once the request's data is written. */
    static final class Batch {
        private final List<long[]> l2Updates = new ArrayList<>();
        private final List<Long> frees = new ArrayList<>();

        /** Sets the entry at byte {@code slot} of the L2 table at {@code l2} to {@code raw}. */
        void map(long l2, long slot, long raw) {
            l2Updates.add(new long[] {l2, slot, raw});
        }

        /** Drops the reference {@code e} holds, if it holds one. */
        void releaseLater(L2Entry e) {
            if (e.ownsHostCluster() || e.kind() == L2Entry.Kind.COMPRESSED) {
                frees.add(e.raw());
            }
        }
    }

    /** Allocates {@code clusters} contiguous host clusters. Caller holds the write lock. */
    long allocate(int clusters) throws BlockDeviceException {
        return refcounts.allocate(clusters);
    }

    /**
     * The host offset of an L2 table for {@code l1Index} that this image alone owns: the current
     * one, a copy of a shared one, or a new empty one. A new table and the L1 entry are changed in
     * memory now (dirty, pinned) and reach the disk at the next {@link #commitMetadata}, even if
     * the request that asked for them fails. Caller holds the write lock.
     */
    long writableL2(int l1Index) throws BlockDeviceException {
        long l1e = l1[l1Index];
        long old = l1e & L1Entry.OFFSET_MASK;
        if (old != 0 && (l1e & L1Entry.COPIED) != 0) {
            return old;
        }
        long fresh = refcounts.allocate(1);
        ByteBuffer table = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
        if (old != 0) {
            table.put(l2Cache.get(old).duplicate().clear()).clear();
            pendingFrees.add(L2Entry.normal(old, false).raw());
        }
        l2Cache.pin(fresh, table);
        dirtyL2.put(fresh, new int[] {0, clusterSize});
        l1[l1Index] = L1Entry.of(fresh, true).raw();
        dirtyL1.add(l1Index);
        markDirty();
        return fresh;
    }

    /**
     * Applies a batch in memory: its L2 entries become dirty in pinned tables and its dropped
     * references wait for the next {@link #commitMetadata}, which runs now if too much is waiting.
     * Caller holds the write lock.
     */
    void apply(Batch batch) throws BlockDeviceException {
        for (long[] u : batch.l2Updates) {
            ByteBuffer table = l2Cache.get(u[0]);
            int slot = (int) u[1];
            table.putLong(slot, u[2]);
            int[] range = dirtyL2.get(u[0]);
            if (range == null) {
                l2Cache.pin(u[0], table);
                dirtyL2.put(u[0], new int[] {slot, slot + 8});
            } else {
                range[0] = Math.min(range[0], slot);
                range[1] = Math.max(range[1], slot + 8);
            }
        }
        pendingFrees.addAll(batch.frees);
        if (!batch.l2Updates.isEmpty() || !pendingFrees.isEmpty()) {
            markDirty();
        }
        if (dirtyL2.size() > maxDirtyL2 || pendingFrees.size() > MAX_PENDING_FREES
                || (metadataDirty && System.nanoTime() - dirtySince > MAX_DIRTY_NANOS)) {
            commitMetadata();
        }
    }

    private void markDirty() {
        if (!metadataDirty) {
            dirtySince = System.nanoTime();
            metadataDirty = true;
        }
    }

    private void writeL1Entry(int index) throws BlockDeviceException {
        file.write(l1Offset + (long) index * 8, ByteBuffer.allocate(8).putLong(0, l1[index]));
    }

    /**
     * Writes the dirty metadata back in dependency order ({@link Qcow2Image} javadoc): barrier,
     * dirty L2 ranges, barrier and dirty L1 entries if any, barrier and the release of dropped
     * references if any. The last L2 or L1 writes are durable only after the caller's next barrier
     * (as {@link Qcow2Image#flush()} does). Caller holds the write lock. On failure what is still
     * dirty stays so.
     */
    void commitMetadata() throws BlockDeviceException {
        if (!metadataDirty) {
            return;
        }
        file.force();
        for (Map.Entry<Long, int[]> d : dirtyL2.entrySet()) {
            int[] range = d.getValue();
            l2Cache.writeThrough(d.getKey(), l2Cache.get(d.getKey()), range[0], range[1] - range[0]);
        }
        for (long table : dirtyL2.keySet()) {
            l2Cache.unpin(table);
        }
        dirtyL2.clear();
        if (!dirtyL1.isEmpty()) {
            file.force();
            for (int i : dirtyL1) {
                writeL1Entry(i);
            }
            dirtyL1.clear();
        }
        if (!pendingFrees.isEmpty()) {
            file.force();
            for (long raw : pendingFrees) {
                release(new L2Entry(raw), -1);
            }
            pendingFrees.clear();
        }
        metadataDirty = false;
    }

    /** Adds {@code delta} to the refcounts of the host clusters an entry uses. */
    private void release(L2Entry e, long delta) throws BlockDeviceException {
        if (e.kind() == L2Entry.Kind.COMPRESSED) {
            refcounts.updateRange(e.compressedSectorStart(clusterBits), e.compressedSectorBytes(clusterBits), delta);
        } else if (e.hostOffset() != 0) {
            refcounts.update(e.hostOffset() >>> clusterBits, delta);
        }
    }

    private void clusterFreed(long hostOffset) {
        l2Cache.invalidate(hostOffset);
        file.punchHole(hostOffset, clusterSize);
    }

    // ---- whole-metadata changes (each made durable by its caller first) ----

    /** Records a new geometry after {@link ImageResize} has made it durable. Caller holds the write lock. */
    void resized(long newSize, long[] newL1, long newL1Offset) {
        this.l1 = newL1;
        this.l1Offset = newL1Offset;
        this.header = header.withGeometry(newSize, newL1.length, newL1Offset);
        this.size = newSize;
    }

    /** Records the metadata a {@link MetadataRewrite} has made durable. Caller holds the write lock. */
    void rewritten(Header newHeader, long[] newL1, List<Snapshot> newSnapshots) {
        this.header = newHeader;
        this.l1 = newL1;
        this.l1Offset = newHeader.l1TableOffset();
        this.snapshots = newSnapshots;
        this.size = newHeader.size();
    }

    /**
     * Records that the header no longer names a backing file (written durably by the caller) and
     * returns the backing device, which the caller closes. Caller holds the write lock.
     */
    BlockDevice backingDropped(Header newHeader) {
        BlockDevice old = backing;
        this.header = newHeader;
        this.backing = null;
        this.backingName = null;
        return old;
    }
}

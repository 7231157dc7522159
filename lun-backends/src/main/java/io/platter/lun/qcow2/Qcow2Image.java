package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.IoErrors;
import io.platter.lun.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A qcow2 image (QEMU docs/interop/qcow2.txt) as a thin {@link BlockDevice}: guest clusters map
 * through the L1 and L2 tables to host clusters, allocated on first write, with copy-on-write
 * from the backing file, from compressed clusters and from clusters shared with internal snapshots.
 *
 * <p>Crash ordering: allocating writes and discards write new data clusters and refcount
 * increments at once, without a barrier, and change L2 entries (and L1 entries, when an L2 table
 * is added or copied) only in memory: the changed L2 tables are pinned in the cache, dirty, so
 * reads and later writes see them. {@link #commitMetadata} makes them durable in dependency order,
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
 * <p>Thread-safety: {@code lock} guards the L1 table, the L2 tables and refcounts. Reads and
 * in-place writes to clusters owned by this image alone run under the read lock, in parallel;
 * anything that allocates or frees takes the write lock, which also serialises concurrent writes
 * to the same unallocated cluster; so does {@link #commitMetadata}. Metadata caches are bounded
 * ({@link #CACHE_BYTES} each; dirty L2 tables are committed before they fill half of it).
 */
public final class Qcow2Image implements BlockDevice {

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
    private static final int MAX_CHAIN = 32;
    private static final int MAX_EXTENT_CLUSTERS = 1 << 16;

    private final ImageFile file;
    /** The header as last written (size and L1 change on resize). Guarded by {@code lock} for writes. */
    private volatile Header header;
    private final boolean readOnly;
    final int clusterBits;
    final int clusterSize;
    private final int l2Bits;
    /** Guest size; changes only on resize, under the write lock. */
    private volatile long size;
    private final long fileLengthAtOpen;
    /** The active L1 table; replaced by a longer one when a resize grows it. Guarded by {@code lock}. */
    long[] l1;
    /** Guarded by {@code lock}. */
    long l1Offset;
    final MetadataCache l2Cache;
    /** Null when read-only. */
    final Refcounts refcounts;
    /** Null without a backing file, and after {@link #flatten}. Replaced under the write lock. */
    private volatile BlockDevice backing;
    private volatile String backingName;
    /** Guarded by {@code lock}. */
    List<Snapshot> snapshots;
    long snapshotsOffset;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Raw L2 entries (or L2 table offsets) whose references are to be released. Guarded by the write lock. */
    private final List<Long> pendingFrees = new ArrayList<>();
    /** Pinned L2 tables with changes not on disk: host offset to the changed byte range {first, end}. Guarded by the write lock. */
    private final Map<Long, int[]> dirtyL2 = new HashMap<>();
    /** L1 indexes changed in memory and not on disk. Guarded by the write lock. */
    private final Set<Integer> dirtyL1 = new TreeSet<>();
    /** Whether {@link #commitMetadata} has anything to do; written under the write lock. */
    private volatile boolean metadataDirty;
    /** {@link System#nanoTime} when {@code metadataDirty} last became true. Guarded by the write lock. */
    private long dirtySince;
    /** Dirty L2 tables that trigger a commit: half the cache, so pinned tables never crowd it out. */
    private final int maxDirtyL2;
    private volatile boolean closed;

    private Qcow2Image(ImageFile file, Header header, boolean readOnly, long fileLength, long[] l1,
            BlockDevice backing, String backingName, List<Snapshot> snapshots) throws BlockDeviceException {
        this.file = file;
        this.header = header;
        this.readOnly = readOnly;
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.l2Bits = clusterBits - 3;
        this.size = header.size();
        this.fileLengthAtOpen = fileLength;
        this.l1 = l1;
        this.l1Offset = header.l1TableOffset();
        this.l2Cache = new MetadataCache(file, clusterSize, CACHE_BYTES);
        this.maxDirtyL2 = Math.max(1, l2Cache.capacity() / 2);
        this.backing = backing;
        this.backingName = backingName;
        this.snapshots = snapshots;
        this.snapshotsOffset = header.snapshotsOffset();
        this.refcounts = readOnly ? null : Refcounts.load(file, header, fileLength, CACHE_BYTES, this::clusterFreed);
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
        if (bytes > MAX_L1_BYTES) {
            throw new Qcow2FormatException("L1 table of " + h.l1Size() + " entries is larger than 32 MiB");
        }
        return readL1Table(file, h.l1TableOffset(), h.l1Size(), h.clusterSize(), fileLength);
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
        return header;
    }

    /** The backing file name as stored in the image, or null. */
    public String backingFile() {
        return backingName;
    }

    public Path file() {
        return file.path();
    }

    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long size() {
        return size;
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
            return size;
        }
    }

    // ---- cluster mapping ----

    private int l1Index(long guest) {
        return (int) (guest >>> (clusterBits + l2Bits));
    }

    private int l2Index(long guest) {
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

    long dataEnd() {
        return refcounts != null ? refcounts.endOffset() : Refcounts.roundUp(fileLengthAtOpen, clusterSize);
    }

    private long checkedHost(L2Entry e, long guest) throws Qcow2FormatException {
        long host = e.hostOffset();
        if (host + clusterSize > dataEnd() || (e.raw() & L2Entry.STANDARD_RESERVED) != 0) {
            throw new Qcow2FormatException(file.path() + ": L2 entry for guest offset " + guest
                    + " points to " + host + ", past the end of the file or with reserved bits set");
        }
        return host;
    }

    /** Appends {@code n} bytes of the guest cluster mapped by {@code e}, from {@code guest}, to {@code dst}. */
    void readMapped(long guest, int n, L2Entry e, ByteBuf dst) throws BlockDeviceException {
        switch (e.kind()) {
            case NORMAL:
                file.readInto(checkedHost(e, guest) + (guest & (clusterSize - 1)), n, dst);
                break;
            case COMPRESSED:
                dst.writeBytes(decompress(e, guest), (int) (guest & (clusterSize - 1)), n);
                break;
            case UNALLOCATED:
                readBacking(guest, n, dst);
                break;
            default:
                dst.writeZero(n);
        }
    }

    private void readBacking(long guest, int n, ByteBuf dst) throws BlockDeviceException {
        long covered = backing == null ? 0 : Math.max(0, Math.min(n, backing.size() - guest));
        if (covered > 0) {
            backing.read(guest, (int) covered, dst);
        }
        dst.writeZero(n - (int) covered);
    }

    /** Inflates a compressed cluster (raw deflate, qcow2.txt "Compressed Clusters Descriptor"). */
    private byte[] decompress(L2Entry e, long guest) throws BlockDeviceException {
        long offset = e.compressedOffset(clusterBits);
        int length = e.compressedLength(clusterBits);
        if (offset + 1 > dataEnd()) {
            throw new Qcow2FormatException(file.path() + ": compressed cluster for guest offset " + guest
                    + " starts past the end of the file");
        }
        ByteBuffer in = ByteBuffer.allocate(length);
        file.read(offset, in);
        byte[] out = new byte[clusterSize];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in.array(), 0, length);
            int done = 0;
            while (done < clusterSize) {
                int n = inflater.inflate(out, done, clusterSize - done);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                done += n;
            }
            if (done < clusterSize) {
                throw new Qcow2FormatException(file.path() + ": compressed cluster for guest offset " + guest
                        + " inflates to " + done + " bytes, not " + clusterSize);
            }
            return out;
        } catch (DataFormatException ex) {
            throw new Qcow2FormatException(file.path() + ": compressed cluster for guest offset " + guest
                    + " is not valid deflate data: " + ex.getMessage());
        } finally {
            inflater.end();
        }
    }

    // ---- read ----

    /** {@inheritDoc} Does not take ownership of {@code dst}. */
    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        ensureOpen();
        checkRange(offset, length);
        dst.ensureWritable(length);
        lock.readLock().lock();
        try {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                int n = (int) Math.min(end - pos, clusterSize - (pos & (clusterSize - 1)));
                L2Entry e = entryAt(pos);
                if (e.kind() == L2Entry.Kind.NORMAL) { // coalesce host-contiguous clusters into one read
                    long host = checkedHost(e, pos) + (pos & (clusterSize - 1));
                    long next = pos + n;
                    while (next < end) {
                        L2Entry f = entryAt(next);
                        if (f.kind() != L2Entry.Kind.NORMAL || checkedHost(f, next) != host + (next - pos)) {
                            break;
                        }
                        next += Math.min(end - next, clusterSize);
                    }
                    file.readInto(host, (int) (next - pos), dst);
                    pos = next;
                } else {
                    readMapped(pos, n, e, dst);
                    pos += n;
                }
            }
        } finally {
            lock.readLock().unlock();
        }
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
        if (!lock.readLock().tryLock()) {
            return false;
        }
        try {
            long l2 = l1[l1Index(offset)] & L1Entry.OFFSET_MASK;
            ByteBuffer table = l2 == 0 || closed ? null : l2Cache.peek(l2);
            if (table == null) {
                return false;
            }
            L2Entry e = new L2Entry(table.getLong(l2Index(offset) * 8));
            return e.kind() == L2Entry.Kind.NORMAL && file.readIfCached(checkedHost(e, offset) + inCluster, length, dst);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- write ----

    /** {@inheritDoc} Does not take ownership of {@code src}; its reader index is unchanged. */
    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        ensureWritable();
        int length = src.readableBytes();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        boolean done;
        lock.readLock().lock();
        try {
            done = writeInPlace(offset, src, src.readerIndex(), length);
        } finally {
            lock.readLock().unlock();
        }
        if (!done) {
            lock.writeLock().lock();
            try {
                writeAllocating(offset, src, src.readerIndex(), length);
            } finally {
                lock.writeLock().unlock();
            }
        }
        if (durable) {
            flush();
        }
    }

    /** Writes in place when every cluster is owned by the active table alone; false (nothing written) otherwise. */
    private boolean writeInPlace(long offset, ByteBuf src, int index, int length) throws BlockDeviceException {
        long end = offset + length;
        for (long pos = offset; pos < end; pos = (pos | (clusterSize - 1)) + 1) {
            if (!ownedInPlace(pos)) {
                return false;
            }
        }
        for (long pos = offset; pos < end; ) {
            int n = (int) Math.min(end - pos, clusterSize - (pos & (clusterSize - 1)));
            long host = entryAt(pos).hostOffset() + (pos & (clusterSize - 1));
            file.write(host, src, index + (int) (pos - offset), n);
            pos += n;
        }
        return true;
    }

    private boolean ownedInPlace(long guest) throws BlockDeviceException {
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

    /** L2 changes of one request and the references they drop, applied by {@link #commit} once the request's data is written. */
    private static final class Batch {
        final List<long[]> l2Updates = new ArrayList<>();
        final List<Long> frees = new ArrayList<>();
    }

    /** Writes {@code length} bytes of {@code src} from {@code index}, allocating as needed. Caller holds the write lock. */
    void writeAllocating(long offset, ByteBuf src, int index, int length) throws BlockDeviceException {
        Batch batch = new Batch();
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            int inCluster = (int) (pos & (clusterSize - 1));
            int n = (int) Math.min(end - pos, clusterSize - inCluster);
            long l2 = writableL2(l1Index(pos));
            int slot = l2Index(pos) * 8;
            L2Entry e = new L2Entry(l2Cache.get(l2).getLong(slot));
            int srcIndex = index + (int) (pos - offset);
            if (e.kind() == L2Entry.Kind.NORMAL && e.copied()) {
                file.write(checkedHost(e, pos) + inCluster, src, srcIndex, n);
            } else {
                long host = refcounts.allocate(1);
                writeCluster(host, pos - inCluster, inCluster, n, src, srcIndex, e);
                batch.l2Updates.add(new long[] {l2, slot, L2Entry.normal(host, true).raw()});
                releaseLater(e, batch);
            }
            pos += n;
        }
        commit(batch);
    }

    private void releaseLater(L2Entry e, Batch batch) {
        if (e.ownsHostCluster() || e.kind() == L2Entry.Kind.COMPRESSED) {
            batch.frees.add(e.raw());
        }
    }

    /**
     * The host offset of an L2 table for {@code l1Index} that this image alone owns: the current
     * one, a copy of a shared one, or a new empty one. A new table and the L1 entry are changed in
     * memory now (dirty, pinned) and reach the disk at the next {@link #commitMetadata}, even if
     * the request that asked for them fails.
     */
    private long writableL2(int l1Index) throws BlockDeviceException {
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

    /** Writes a whole new host cluster: the old contents of the guest cluster with {@code n} bytes of {@code src} over them. */
    private void writeCluster(long host, long guestCluster, int inCluster, int n, ByteBuf src, int srcIndex, L2Entry old)
            throws BlockDeviceException {
        if (n == clusterSize) {
            file.write(host, src, srcIndex, n);
            return;
        }
        ByteBuf base = PooledByteBufAllocator.DEFAULT.directBuffer(clusterSize);
        try {
            readMapped(guestCluster, clusterSize, old, base);
            if (inCluster > 0) {
                file.write(host, base, 0, inCluster);
            }
            file.write(host + inCluster, src, srcIndex, n);
            int tail = inCluster + n;
            if (tail < clusterSize) {
                file.write(host + tail, base, tail, clusterSize - tail);
            }
        } finally {
            base.release();
        }
    }

    /**
     * Applies a batch in memory: its L2 entries become dirty in pinned tables and its dropped
     * references wait for the next {@link #commitMetadata}, which runs now if too much is waiting.
     */
    private void commit(Batch batch) throws BlockDeviceException {
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

    void writeL1Entry(int index) throws BlockDeviceException {
        file.write(l1Offset + (long) index * 8, ByteBuffer.allocate(8).putLong(0, l1[index]));
    }

    /**
     * Writes the dirty metadata back in dependency order (class javadoc): barrier, dirty L2
     * ranges, barrier and dirty L1 entries if any, barrier and the release of dropped references
     * if any. The last L2 or L1 writes are durable only after the caller's next barrier (as
     * {@link #flush()} does). Caller holds the write lock. On failure what is still dirty stays so.
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
    void release(L2Entry e, long delta) throws BlockDeviceException {
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

    // ---- flush, discard, extents ----

    /** {@inheritDoc} Commits dirty metadata ({@link #commitMetadata}) first when there is any. */
    @Override
    public void flush() throws BlockDeviceException {
        ensureOpen();
        if (readOnly) {
            return;
        }
        if (metadataDirty) {
            lock.writeLock().lock();
            try {
                commitMetadata();
            } finally {
                lock.writeLock().unlock();
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
        lock.writeLock().lock();
        try {
            Batch batch = new Batch();
            List<long[]> zeroRanges = new ArrayList<>();
            long end = offset + length;
            for (long pos = offset; pos < end; ) {
                long clusterStart = pos & ~(long) (clusterSize - 1);
                long clusterEnd = Math.min(size, clusterStart + clusterSize);
                long n = Math.min(end, clusterEnd) - pos;
                L2Entry e = entryAt(pos);
                boolean showsThrough = backing != null && clusterStart < backing.size();
                boolean whole = pos == clusterStart && pos + n == clusterEnd;
                if (readsZeros(e, clusterStart)) {
                    // nothing to do
                } else if (!whole || (showsThrough && !header.zeroClusters())) {
                    zeroRanges.add(new long[] {pos, n});
                } else {
                    long l2 = writableL2(l1Index(pos));
                    long target = showsThrough ? L2Entry.ZERO.raw() : 0;
                    batch.l2Updates.add(new long[] {l2, l2Index(pos) * 8L, target});
                    releaseLater(e, batch);
                }
                pos += n;
            }
            commit(batch);
            for (long[] z : zeroRanges) {
                ByteBuf zeros = PooledByteBufAllocator.DEFAULT.directBuffer((int) z[1]).writeZero((int) z[1]);
                try {
                    writeAllocating(z[0], zeros, 0, (int) z[1]);
                } finally {
                    zeros.release();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private boolean readsZeros(L2Entry e, long clusterStart) {
        return switch (e.kind()) {
            case ZERO, ZERO_ALLOCATED -> true;
            case UNALLOCATED -> backing == null || clusterStart >= backing.size();
            default -> false;
        };
    }

    /**
     * {@inheritDoc} Mapped: data in this image (standard or compressed clusters) or in the backing
     * chain; unmapped: zero clusters and clusters reading as zeros from nowhere.
     */
    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        ensureOpen();
        if (offset < 0 || offset >= size) {
            throw new BlockDeviceException.OutOfRange(offset, 1, size);
        }
        lock.readLock().lock();
        try {
            Boolean first = null;
            long pos = offset;
            for (int i = 0; pos < size && i < MAX_EXTENT_CLUSTERS; i++) {
                long clusterEnd = Math.min(size, (pos | (clusterSize - 1)) + 1);
                long runEnd = clusterEnd;
                boolean mapped;
                L2Entry e = entryAt(pos);
                switch (e.kind()) {
                    case NORMAL, COMPRESSED -> mapped = true;
                    case UNALLOCATED -> {
                        if (backing == null || pos >= backing.size()) {
                            mapped = false;
                        } else {
                            Extent b = backing.extentAt(pos);
                            mapped = b.mapped();
                            runEnd = Math.min(clusterEnd, pos + b.length());
                        }
                    }
                    default -> mapped = false;
                }
                if (first == null) {
                    first = mapped;
                } else if (first != mapped) {
                    break;
                }
                pos = runEnd;
            }
            return new Extent(offset, pos - offset, first);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- snapshots ----

    /** The internal snapshots, in table order. */
    public List<Snapshot> snapshots() {
        lock.readLock().lock();
        try {
            return List.copyOf(snapshots);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Takes an internal snapshot of the current contents (like {@code qemu-img snapshot -c}). */
    public Snapshot createSnapshot(String name) throws BlockDeviceException {
        ensureWritable();
        lock.writeLock().lock();
        try {
            return new InternalSnapshots(this).create(name);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Makes a snapshot's contents current (like {@code qemu-img snapshot -a}); {@code idOrName} as QEMU matches it. */
    public void revertSnapshot(String idOrName) throws BlockDeviceException {
        ensureWritable();
        lock.writeLock().lock();
        try {
            new InternalSnapshots(this).revert(idOrName);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes a snapshot (like {@code qemu-img snapshot -d}). */
    public void deleteSnapshot(String idOrName) throws BlockDeviceException {
        ensureWritable();
        lock.writeLock().lock();
        try {
            new InternalSnapshots(this).delete(idOrName);
        } finally {
            lock.writeLock().unlock();
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
        lock.writeLock().lock();
        try {
            new ImageResize(this).resize(newSize, force);
        } finally {
            lock.writeLock().unlock();
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
        this.snapshotsOffset = newHeader.snapshotsOffset();
    }

    BlockDevice backing() {
        return backing;
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
        new BackingCopy(this).flatten(progress);
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
        long diskSize = s.diskSize() >= 0 ? s.diskSize() : size;
        BackingCopy copy = new BackingCopy(this);
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
     * Drops the backing file reference once every cluster is in this image: a barrier, then
     * backing_file_offset and backing_file_size cleared in one 12-byte write inside the first
     * sector (a crash leaves either the old or the new header), a barrier, then the backing format
     * extension and the name, now unreferenced, are cleared from the header cluster.
     */
    void dropBacking() throws BlockDeviceException {
        BlockDevice old;
        lock.writeLock().lock();
        try {
            Header h = header;
            if (!h.hasBackingFile()) {
                return;
            }
            // The copied clusters' L2 entries must be durable before the backing file stops showing through.
            commitMetadata();
            file.force();
            file.write(Header.OFFSET_BACKING_FILE, ByteBuffer.allocate(12));
            file.force();
            int end = (int) h.backingFileOffset() + h.backingFileSize();
            ByteBuffer first = ByteBuffer.allocate(clusterSize);
            file.read(0, first);
            first.flip();
            List<HeaderExtension> kept = new ArrayList<>();
            for (HeaderExtension e : HeaderExtension.parseAll(first, h.length(), (int) h.backingFileOffset())) {
                if (!e.is(HeaderExtension.Type.BACKING_FORMAT)) {
                    kept.add(e);
                }
            }
            ByteBuffer ext = HeaderExtension.encodeAll(kept);
            ByteBuffer region = ByteBuffer.allocate(Math.max(ext.remaining(), end - h.length()));
            region.put(ext).clear();
            file.write(h.length(), region);
            file.force();
            header = h.withoutBacking();
            old = backing;
            backing = null;
            backingName = null;
        } finally {
            lock.writeLock().unlock();
        }
        old.close();
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
        Map<Qcow2Image, Snapshot> taken = new IdentityHashMap<>();
        int locked = 0;
        try {
            for (Qcow2Image i : order) {
                i.lock.writeLock().lock();
                locked++;
            }
            try {
                for (Qcow2Image i : order) {
                    taken.put(i, new InternalSnapshots(i).create(name));
                }
            } catch (BlockDeviceException | RuntimeException e) {
                for (Map.Entry<Qcow2Image, Snapshot> t : taken.entrySet()) {
                    try {
                        new InternalSnapshots(t.getKey()).delete(t.getValue().id());
                    } catch (BlockDeviceException | RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw e;
            }
        } finally {
            for (int k = locked - 1; k >= 0; k--) {
                order.get(k).lock.writeLock().unlock();
            }
        }
        return images.stream().map(taken::get).toList();
    }

    ImageFile imageFile() {
        return file;
    }

    long fileLengthAtOpen() {
        return fileLengthAtOpen;
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
                if (backing != null) {
                    backing.close();
                }
            } catch (BlockDeviceException e) {
                failure = failure != null ? failure : e;
            }
            lock.writeLock().lock(); // no readIfCached is using the descriptor
            try {
                file.close();
            } catch (BlockDeviceException e) {
                failure = failure != null ? failure : e;
            } finally {
                lock.writeLock().unlock();
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
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new BlockDeviceException.OutOfRange(offset, length, size);
        }
    }

    @Override
    public String toString() {
        return "Qcow2Image[" + file.path() + ", " + size + " bytes, v" + header.version() + ", "
                + clusterSize + "-byte clusters" + (backingName != null ? ", backing " + backingName : "")
                + (readOnly ? ", read-only" : "") + "]";
    }

    static BlockDeviceException io(String what, IOException e) {
        return IoErrors.map(what, e);
    }
}

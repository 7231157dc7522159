package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The runtime side of the two-level refcount structure (qcow2.txt "Host cluster management"):
 * reads and changes refcounts, allocates host clusters (reusing free ones before appending), adds
 * refcount blocks and grows the refcount table as the file grows.
 *
 * <p>New refcount blocks are placed at the end of the file, preferably covering themselves; a new
 * block is durable before the table entry points at it, and a grown table is durable before the
 * header points at it, so a crash leaves at worst leaked clusters. Not thread-safe: callers hold
 * the {@link ClusterMap} write lock (reads of {@link #get} may also run under the read lock).
 */
final class Refcounts {

    /** QEMU's implementation limit on the refcount table (8 MiB). */
    static final long MAX_TABLE_BYTES = 8L << 20;

    /** Called for every cluster whose refcount drops to zero. */
    interface FreeListener {
        void freed(long hostOffset);
    }

    private final ImageFile file;
    private final MetadataCache blocks;
    private final int clusterBits;
    private final int order;
    /** log2 of the entries per refcount block. */
    private final int blockBits;
    private final FreeListener listener;
    private long[] table;
    private long tableOffset;
    private int tableClusters;
    /** One past the highest cluster index in use or reserved (the file end, in clusters). */
    private volatile long endCluster;
    /** No cluster below this index is free. */
    private long freeHint;

    private Refcounts(ImageFile file, MetadataCache blocks, int clusterBits, int order, long[] table,
            long tableOffset, int tableClusters, long endCluster, FreeListener listener) {
        this.file = file;
        this.blocks = blocks;
        this.clusterBits = clusterBits;
        this.order = order;
        this.blockBits = clusterBits + 3 - order;
        this.table = table;
        this.tableOffset = tableOffset;
        this.tableClusters = tableClusters;
        this.endCluster = endCluster;
        this.listener = listener;
    }

    /** Loads the refcount table described by {@code header}; entries pointing past {@code fileLength} are refused. */
    static Refcounts load(ImageFile file, Header header, long fileLength, long cacheBytes, FreeListener listener)
            throws BlockDeviceException {
        int cs = header.clusterSize();
        long bytes = (long) header.refcountTableClusters() * cs;
        if (bytes > MAX_TABLE_BYTES || header.refcountTableOffset() + bytes > roundUp(fileLength, cs)) {
            throw new Qcow2FormatException("refcount table (" + header.refcountTableClusters()
                    + " clusters at " + header.refcountTableOffset() + ") is too large or runs past the end of the file");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) bytes).order(ByteOrder.BIG_ENDIAN);
        file.read(header.refcountTableOffset(), raw);
        long[] table = new long[(int) (bytes / 8)];
        raw.flip().asLongBuffer().get(table);
        for (int i = 0; i < table.length; i++) {
            long off = table[i];
            if (off != 0 && ((off & (cs - 1)) != 0 || off < 0 || off + cs > roundUp(fileLength, cs))) {
                throw new Qcow2FormatException("refcount table entry " + i + " (" + off
                        + ") is unaligned or points past the end of the file");
            }
        }
        return new Refcounts(file, new MetadataCache(file, cs, cacheBytes), header.clusterBits(),
                header.refcountOrder(), table, header.refcountTableOffset(), header.refcountTableClusters(),
                roundUp(fileLength, cs) >>> header.clusterBits(), listener);
    }

    static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    /** One past the last cluster in use, in bytes. */
    long endOffset() {
        return endCluster << clusterBits;
    }

    /** The refcount of host cluster {@code cluster} (an index, not an offset). */
    long get(long cluster) throws BlockDeviceException {
        long t = cluster >>> blockBits; // within int range: the table is at most 8 MiB
        if (t >= table.length || table[(int) t] == 0) {
            return 0;
        }
        return RefcountBlock.get(blocks.get(table[(int) t]), (int) (cluster & ((1L << blockBits) - 1)), order);
    }

    /** Refuses, before anything changes, when one more reference to {@code cluster} would overflow its refcount. */
    void requireRoom(long cluster) throws BlockDeviceException {
        if (get(cluster) + 1 > RefcountBlock.max(order)) {
            throw overflow(cluster);
        }
    }

    private BlockDeviceException overflow(long cluster) {
        return new BlockDeviceException("refcount of cluster " + cluster + " would overflow " + (1 << order)
                + " bits (refcount_order " + order + ")");
    }

    /** Adds {@code delta} to the refcount of {@code cluster}; returns the new count. */
    long update(long cluster, long delta) throws BlockDeviceException {
        long t = cluster >>> blockBits; // within int range: the table is at most 8 MiB
        if (delta > 0) {
            ensureBlock(t);
        } else if (t >= table.length || table[(int) t] == 0) {
            throw new Qcow2FormatException("refcount of cluster " + cluster + " would drop below zero (no refcount block)");
        }
        ByteBuffer block = blocks.get(table[(int) t]);
        int index = (int) (cluster & ((1L << blockBits) - 1));
        long old = RefcountBlock.get(block, index, order);
        long next = old + delta;
        if (next < 0) {
            throw new Qcow2FormatException("refcount of cluster " + cluster + " would drop below zero");
        }
        if (next > RefcountBlock.max(order)) {
            throw overflow(cluster);
        }
        long span = RefcountBlock.set(block, index, order, next);
        blocks.writeThrough(table[(int) t], block, (int) (span >>> 32), (int) span);
        if (next == 0) {
            freeHint = Math.min(freeHint, cluster);
            listener.freed(cluster << clusterBits);
        }
        return next;
    }

    /** Adds {@code delta} to every cluster touched by the bytes {@code [offset, offset+length)}. */
    void updateRange(long offset, long length, long delta) throws BlockDeviceException {
        if (length <= 0) {
            return;
        }
        long first = offset >>> clusterBits;
        long last = (offset + length - 1) >>> clusterBits;
        for (long c = first; c <= last; c++) {
            update(c, delta);
        }
    }

    /**
     * Allocates {@code count} contiguous free clusters (the first run at or after the lowest
     * possibly free cluster, else at the end of the file), sets their refcounts to 1 and returns
     * the host offset of the first. The clusters' contents are the caller's to write.
     */
    long allocate(int count) throws BlockDeviceException {
        long runStart = -1;
        long run = 0;
        long firstFree = -1;
        long c = freeHint;
        for (; c < endCluster && run < count; c++) {
            if (get(c) == 0) {
                if (firstFree < 0) {
                    firstFree = c;
                }
                if (run == 0) {
                    runStart = c;
                }
                run++;
            } else {
                run = 0;
            }
        }
        long start = run > 0 ? runStart : endCluster;
        if (run == 0) {
            // Past the end of the file a crash may have left refcounts of clusters never written
            // (allocated, then killed before the file grew): leaked, never free; skip them.
            while (anyInUse(start, count)) {
                start++;
            }
        }
        freeHint = firstFree >= 0 ? firstFree : endCluster;
        if (start == freeHint) {
            freeHint = start + count;
        }
        endCluster = Math.max(endCluster, start + count);
        for (long i = 0; i < count; i++) {
            if (update(start + i, 1) != 1) {
                throw new Qcow2FormatException("allocated cluster " + (start + i) + " was not free");
            }
        }
        return start << clusterBits;
    }

    private boolean anyInUse(long start, int count) throws BlockDeviceException {
        for (long i = 0; i < count; i++) {
            if (get(start + i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Makes sure refcount block {@code t} exists, growing the table and adding blocks as needed. */
    private void ensureBlock(long t) throws BlockDeviceException {
        if (t >= table.length) {
            grow(t);
        }
        if (table[(int) t] != 0) {
            return;
        }
        int cs = 1 << clusterBits;
        long c = endCluster++;
        ByteBuffer block = ByteBuffer.allocate(cs).order(ByteOrder.BIG_ENDIAN);
        boolean selfCovered = (c >>> blockBits) == t;
        if (selfCovered) {
            RefcountBlock.set(block, (int) (c & ((1L << blockBits) - 1)), order, 1);
        }
        blocks.install(c << clusterBits, block);
        if (!selfCovered) {
            update(c, 1);
        }
        file.force(); // the block is durable before the table points at it
        table[(int) t] = c << clusterBits;
        writeTableEntry((int) t);
    }

    private void writeTableEntry(int t) throws BlockDeviceException {
        ByteBuffer entry = ByteBuffer.allocate(8).putLong(0, table[(int) t]);
        file.write(tableOffset + (long) t * 8, entry);
    }

    /**
     * Moves the table to a larger area at the end of the file: the new table and any blocks it
     * needs are written and made durable, the header is switched over, then the old area is freed.
     */
    private void grow(long needed) throws BlockDeviceException {
        int cs = 1 << clusterBits;
        long oldOffset = tableOffset;
        int oldClusters = tableClusters;
        int clusters = oldClusters;
        do {
            clusters *= 2;
        } while ((long) clusters * cs / 8 <= Math.max(needed, (endCluster + clusters + 64) >>> blockBits));
        if ((long) clusters * cs > MAX_TABLE_BYTES) {
            throw new BlockDeviceException.NoSpace("refcount table would exceed " + MAX_TABLE_BYTES + " bytes", null);
        }
        long start = endCluster;
        endCluster += clusters;
        table = Arrays.copyOf(table, (int) ((long) clusters * cs / 8));
        tableOffset = start << clusterBits;
        tableClusters = clusters;
        for (long c = start; c < start + clusters; c++) {
            update(c, 1);
        }
        ByteBuffer raw = ByteBuffer.allocate(clusters * cs).order(ByteOrder.BIG_ENDIAN);
        raw.asLongBuffer().put(table);
        file.write(tableOffset, raw);
        file.force();
        ByteBuffer header = ByteBuffer.allocate(12).putLong(tableOffset).putInt(tableClusters).flip();
        file.write(Header.OFFSET_REFCOUNT_TABLE, header);
        file.force();
        for (long c = oldOffset >>> clusterBits; c < (oldOffset >>> clusterBits) + oldClusters; c++) {
            update(c, -1);
        }
    }

    /**
     * Switches to a new refcount table that the caller has made durable and the header now points
     * at (a {@link MetadataRewrite}); {@code usedClusters} is one past the last cluster it counts.
     */
    void switchTo(long[] newTable, long newTableOffset, int newTableClusters, long usedClusters) {
        blocks.clear();
        table = newTable;
        tableOffset = newTableOffset;
        tableClusters = newTableClusters;
        endCluster = Math.max(endCluster, usedClusters);
        freeHint = 0;
    }

    long tableOffset() {
        return tableOffset;
    }

    int tableClusters() {
        return tableClusters;
    }
}

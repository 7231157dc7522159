package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Atomic switch of the snapshot-dependent metadata (qcow2.txt "Header" bytes 36-71, "Host cluster
 * management", "Snapshots"): the new active L1 table, copies of its L2 tables, the snapshot table
 * and the refcount table and blocks are built in fresh clusters past the end of the file, with
 * every refcount counted from scratch as {@code qemu-img check} counts references, made durable,
 * and then switched to by ONE write of the header fields l1_size through snapshots_offset, which
 * lie in the first sector. A crash before that write leaves the old image with unreferenced
 * clusters past its end (counted zero or not at all by the old refcounts); after it, the new image,
 * whose COPIED bits agree with its refcounts everywhere (the active view owns its L2 tables).
 *
 * <p>The L2 tables the snapshots keep are never modified, so their COPIED bits may be stale, which
 * qcow2.txt allows ("only accurate in L2 tables that are reachable from the active L1 table").
 * Runs under the {@link ClusterMap} write lock, after {@link ClusterMap#commitMetadata}; one instance per use.
 */
final class MetadataRewrite {

    /** Clusters the rewrite can count in memory (an int per cluster: 1 GiB of counts). */
    private static final long MAX_CLUSTERS = 1L << 28;

    private final ClusterMap map;
    private final ImageFile file;
    private final Refcounts refcounts;
    private final int clusterBits;
    private final int clusterSize;
    private final int order;
    /** First cluster past everything the old metadata may use: the new structures start here. */
    private final long base;
    /** References per host cluster in the new state. */
    private int[] counts;

    MetadataRewrite(ClusterMap map) {
        this.map = map;
        this.file = map.file();
        this.refcounts = map.refcounts();
        this.clusterBits = map.clusterBits();
        this.clusterSize = map.clusterSize();
        this.order = map.header().refcountOrder();
        this.base = refcounts.endOffset() >>> clusterBits;
        this.counts = new int[(int) Math.min(base + 64, MAX_CLUSTERS)];
    }

    /**
     * Switches the image to the snapshot list {@code snapshots} and an active view mapping what
     * {@code activeSource} maps (an L1 table as long as the active one, whose L2 tables are on
     * disk: the active table itself, or a snapshot's). Refuses (before writing anything) when a
     * refcount would overflow refcount_bits. On return the new state is durable and in use.
     */
    void apply(List<Snapshot> snapshots, long[] activeSource) throws BlockDeviceException {
        apply(snapshots, activeSource, map.size());
    }

    /**
     * As {@link #apply(List, long[])}, and the guest size becomes {@code newSize} (a revert to a
     * snapshot taken at another size): the header's size field is written in the same header
     * write as the tables (bytes 24-71), so the switch stays one write. {@code activeSource} must
     * have at least the L1 entries {@code newSize} needs.
     */
    void apply(List<Snapshot> snapshots, long[] activeSource, long newSize) throws BlockDeviceException {
        if (activeSource.length < Header.l1EntriesFor(newSize, clusterBits)) {
            throw new IllegalArgumentException("an L1 table of " + activeSource.length + " entries cannot map "
                    + newSize + " bytes");
        }
        file.force(); // what the caller committed is durable before anything refers to it
        long next = base;
        long l1At = activeSource.length == 0 ? 0 : next << clusterBits;
        next += clusters(activeSource.length * 8L);
        long[] l2Copies = new long[activeSource.length];
        for (int i = 0; i < activeSource.length; i++) {
            if (l2Of(activeSource[i]) != 0) {
                l2Copies[i] = next++ << clusterBits;
            }
        }
        ByteBuffer table = Snapshot.encodeTable(snapshots);
        long tableAt = snapshots.isEmpty() ? 0 : next << clusterBits;
        next += clusters(table.remaining());

        reference(0, clusterSize); // header, extensions and backing file name: cluster 0
        reference(tableAt, table.remaining());
        for (Snapshot s : snapshots) {
            reference(s.l1TableOffset(), s.l1Size() * 8L);
            long[] l1 = ClusterMap.readL1Table(file, s.l1TableOffset(), s.l1Size(), clusterSize, base << clusterBits);
            for (long entry : l1) {
                if (l2Of(entry) != 0) {
                    reference(l2Of(entry), clusterSize);
                    referenceData(l2Of(entry));
                }
            }
        }
        reference(l1At, activeSource.length * 8L);
        for (int i = 0; i < activeSource.length; i++) {
            if (l2Copies[i] != 0) {
                reference(l2Copies[i], clusterSize);
                referenceData(l2Of(activeSource[i]));
            }
        }
        long[] layout = refcountLayout(next);
        long refcountTableAt = layout[0] << clusterBits;
        int refcountTableClusters = (int) layout[1];
        long blocksAt = layout[2] << clusterBits;
        int blocks = (int) layout[3];
        long end = layout[2] + blocks;
        reference(refcountTableAt, (long) (refcountTableClusters + blocks) << clusterBits);
        requireRoom(end);
        List<Long> freed = freedClusters();

        long[] newL1 = writeActive(activeSource, l1At, l2Copies);
        if (!snapshots.isEmpty()) {
            file.write(tableAt, table);
        }
        long[] refcountTable = writeRefcounts(refcountTableAt, refcountTableClusters, blocksAt, blocks);
        file.force();
        Header h = map.header().withMetadata(newL1.length, l1At, refcountTableAt, refcountTableClusters,
                snapshots.size(), tableAt);
        if (newSize == map.size()) {
            file.write(Header.OFFSET_L1_SIZE, h.encodeMetadata());
        } else {
            h = h.withGeometry(newSize, newL1.length, l1At);
            file.write(Header.OFFSET_SIZE, h.encodeSizeAndMetadata());
        }
        file.force();

        map.rewritten(h, newL1, new ArrayList<>(snapshots));
        refcounts.switchTo(refcountTable, refcountTableAt, refcountTableClusters, end);
        for (long copy : l2Copies) {
            map.invalidate(copy); // never cached, but the offset may once have held another table
        }
        for (long c : freed) {
            map.invalidate(c << clusterBits);
            file.punchHole(c << clusterBits, clusterSize);
        }
    }

    private static long l2Of(long l1Entry) {
        return l1Entry & L1Entry.OFFSET_MASK;
    }

    private int clusters(long bytes) {
        return (int) (Refcounts.roundUp(bytes, clusterSize) >>> clusterBits);
    }

    /** Counts one reference to every cluster of {@code [offset, offset+length)}. */
    private void reference(long offset, long length) throws BlockDeviceException {
        if (length <= 0) {
            return;
        }
        long last = (offset + length - 1) >>> clusterBits;
        if (offset < 0 || last >= MAX_CLUSTERS) {
            throw new Qcow2FormatException(file.path() + ": metadata refers to " + offset + " (+" + length
                    + "), outside what a rewrite can count");
        }
        if (last >= counts.length) {
            counts = Arrays.copyOf(counts, (int) Math.min(MAX_CLUSTERS, Math.max(last + 1, counts.length * 2L)));
        }
        for (long c = offset >>> clusterBits; c <= last; c++) {
            counts[(int) c]++;
        }
    }

    /** Counts the data clusters the L2 table at {@code l2} refers to (once per entry). */
    private void referenceData(long l2) throws BlockDeviceException {
        if ((l2 & (clusterSize - 1)) != 0 || l2 + clusterSize > base << clusterBits) {
            throw new Qcow2FormatException(file.path() + ": L2 table at " + l2 + " is unaligned or past the end of the file");
        }
        ByteBuffer t = map.l2Table(l2);
        for (int j = 0; j < clusterSize / 8; j++) {
            L2Entry e = new L2Entry(t.getLong(j * 8));
            if (e.kind() == L2Entry.Kind.COMPRESSED) {
                reference(e.compressedSectorStart(clusterBits), e.compressedSectorBytes(clusterBits));
            } else if (e.hostOffset() != 0) {
                if (e.hostOffset() + clusterSize > base << clusterBits) {
                    throw new Qcow2FormatException(file.path() + ": L2 entry " + j + " of the table at " + l2
                            + " points past the end of the file");
                }
                reference(e.hostOffset(), clusterSize);
            }
        }
    }

    /**
     * Places the refcount table and blocks from cluster {@code from}, sized until they cover
     * themselves: {@code {tableCluster, tableClusters, firstBlockCluster, blocks}}.
     */
    private long[] refcountLayout(long from) throws BlockDeviceException {
        int blockBits = clusterBits + 3 - order;
        long tableClusters = 1;
        long blocks = 0;
        while (true) {
            long total = from + tableClusters + blocks;
            long needBlocks = (total + (1L << blockBits) - 1) >>> blockBits;
            long needTable = Math.max(1, clusters(needBlocks * 8));
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        if (tableClusters * clusterSize > Refcounts.MAX_TABLE_BYTES) {
            throw new BlockDeviceException.NoSpace("refcount table would exceed " + Refcounts.MAX_TABLE_BYTES + " bytes", null);
        }
        return new long[] {from, tableClusters, from + tableClusters, blocks};
    }

    /** Refuses when a count exceeds what refcount_bits can hold (an image made with refcount_bits=1 cannot hold a snapshot). */
    private void requireRoom(long end) throws BlockDeviceException {
        long max = RefcountBlock.max(order);
        for (int c = 0; c < Math.min(end, counts.length); c++) {
            if (counts[c] > max) {
                throw new BlockDeviceException("refcount of cluster " + c + " would overflow " + (1 << order)
                        + " bits (refcount_order " + order + ")");
            }
        }
    }

    /** Clusters in use now that nothing refers to in the new state: their space is returned after the switch. */
    private List<Long> freedClusters() throws BlockDeviceException {
        List<Long> freed = new ArrayList<>();
        for (long c = 0; c < base; c++) {
            if ((c >= counts.length || counts[(int) c] == 0) && refcounts.get(c) > 0) {
                freed.add(c);
            }
        }
        return freed;
    }

    /**
     * Writes the active L1 table and the copies of its L2 tables, with COPIED set exactly where
     * the new refcount is one; returns the new L1 table.
     */
    private long[] writeActive(long[] source, long l1At, long[] l2Copies) throws BlockDeviceException {
        long[] l1 = new long[source.length];
        for (int i = 0; i < source.length; i++) {
            if (l2Copies[i] == 0) {
                continue;
            }
            ByteBuffer from = map.l2Table(l2Of(source[i]));
            ByteBuffer copy = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            for (int j = 0; j < clusterSize / 8; j++) {
                L2Entry e = new L2Entry(from.getLong(j * 8));
                boolean owned = e.ownsHostCluster() && counts[(int) (e.hostOffset() >>> clusterBits)] == 1;
                copy.putLong(j * 8, e.withCopied(owned).raw());
            }
            file.write(l2Copies[i], copy);
            l1[i] = L1Entry.of(l2Copies[i], counts[(int) (l2Copies[i] >>> clusterBits)] == 1).raw();
        }
        if (l1.length > 0) {
            ByteBuffer raw = ByteBuffer.allocate(clusters(l1.length * 8L) << clusterBits).order(ByteOrder.BIG_ENDIAN);
            raw.asLongBuffer().put(l1);
            file.write(l1At, raw);
        }
        return l1;
    }

    /** Writes the refcount blocks from {@link #counts} and the table pointing at them; returns the table. */
    private long[] writeRefcounts(long tableAt, int tableClusters, long blocksAt, int blocks) throws BlockDeviceException {
        int perBlock = RefcountBlock.entries(clusterBits, order);
        long[] table = new long[(int) ((long) tableClusters * clusterSize / 8)];
        for (int b = 0; b < blocks; b++) {
            ByteBuffer block = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            long first = (long) b * perBlock;
            for (long c = first; c < Math.min(first + perBlock, counts.length); c++) {
                if (counts[(int) c] != 0) {
                    RefcountBlock.set(block, (int) (c - first), order, counts[(int) c]);
                }
            }
            table[b] = blocksAt + ((long) b << clusterBits);
            file.write(table[b], block);
        }
        ByteBuffer raw = ByteBuffer.allocate(tableClusters * clusterSize).order(ByteOrder.BIG_ENDIAN);
        raw.asLongBuffer().put(table);
        file.write(tableAt, raw);
        return table;
    }
}

package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Creating an internal snapshot (qcow2.txt "Snapshots", "Host cluster management") so that it
 * takes effect in one header write. Raising refcounts and clearing COPIED flags in place cannot
 * be ordered crash-safely: between the two writes a cluster's COPIED flag disagrees with its
 * refcount, which qemu-img check counts as corruption. Instead everything new goes past the end
 * of the file: copies of the active L2 tables without COPIED on their entries, a new active L1
 * pointing at them, the new snapshot table, and a complete new refcount structure (the old counts
 * plus one for every data cluster the active tables map, one for each new cluster, zero for the old
 * refcount structure and snapshot table). The old active L1 and its L2 tables, untouched, become the
 * snapshot's. One write of header bytes 40-71 (L1 offset, refcount table, snapshot count and table)
 * switches over: a crash before it leaves the old image plus unreferenced clusters, after it the
 * new one. Costs a copy of every allocated L2 table and of the refcount blocks.
 *
 * <p>Runs under the image's write lock, after its pending frees were released.
 */
final class ShadowSnapshot {

    /** Header byte where the switched fields start (l1_table_offset); 32 bytes up to snapshots_offset's end. */
    private static final int OFFSET_L1_TABLE = 40;

    private final Qcow2Image img;
    private final ImageFile file;
    private final Refcounts refcounts;
    private final int clusterBits;
    private final int clusterSize;
    private final int order;
    private final int blockBits;

    ShadowSnapshot(Qcow2Image img) {
        this.img = img;
        this.file = img.imageFile();
        this.refcounts = img.refcounts;
        this.clusterBits = img.clusterBits;
        this.clusterSize = img.clusterSize;
        this.order = img.header().refcountOrder();
        this.blockBits = clusterBits + 3 - order;
    }

    /** Adds {@code snapshot} (whose L1 must be the current active L1 table) and switches over. */
    void create(Snapshot snapshot) throws BlockDeviceException {
        long[] l1 = img.l1;
        List<Snapshot> next = new ArrayList<>(img.snapshots);
        next.add(snapshot);
        ByteBuffer table = Snapshot.encodeTable(next);

        int l2Count = 0;
        for (long e : l1) {
            l2Count += (e & L1Entry.OFFSET_MASK) != 0 ? 1 : 0;
        }
        int l1Clusters = clusters(l1.length * 8L);
        int tableClusters = clusters(table.remaining());
        long start = refcounts.endOffset() >>> clusterBits;
        long[] oldTable = refcounts.table();
        int oldBlocks = 0;
        for (int t = 0; t < oldTable.length; t++) {
            oldBlocks = oldTable[t] != 0 ? t + 1 : oldBlocks;
        }
        // The new refcount blocks and table cover themselves: grow them until they do.
        long fixed = start + l2Count + l1Clusters + tableClusters;
        int blocks = 0;
        int rtClusters = 0;
        while (true) {
            long end = fixed + blocks + rtClusters;
            int needBlocks = (int) Math.max(oldBlocks, (end + (1L << blockBits) - 1) >>> blockBits);
            int needRt = clusters(needBlocks * 8L);
            if (needBlocks == blocks && needRt == rtClusters) {
                break;
            }
            blocks = needBlocks;
            rtClusters = needRt;
        }
        if ((long) rtClusters * clusterSize > Refcounts.MAX_TABLE_BYTES) {
            throw new BlockDeviceException.NoSpace("refcount table would exceed " + Refcounts.MAX_TABLE_BYTES
                    + " bytes", null);
        }
        long l2Start = start;
        long l1Start = l2Start + l2Count;
        long snapStart = l1Start + l1Clusters;
        long blockStart = snapStart + tableClusters;
        long rtStart = blockStart + blocks;
        long end = rtStart + rtClusters;

        ByteBuffer[] counts = new ByteBuffer[blocks];
        for (int t = 0; t < blocks; t++) {
            counts[t] = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            if (t < oldTable.length && oldTable[t] != 0) {
                counts[t].put(refcounts.block(oldTable[t]).duplicate().clear()).clear();
            }
        }
        // The active tables' data clusters gain the snapshot's reference; their L2 copies lose COPIED.
        long[] newL1 = new long[l1.length];
        long nextL2 = l2Start;
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L1Entry.OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            ByteBuffer copy = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            copy.put(img.l2Cache.get(l2).duplicate().clear()).clear();
            for (int j = 0; j < clusterSize / 8; j++) {
                L2Entry e = new L2Entry(copy.getLong(j * 8));
                if (e.kind() == L2Entry.Kind.COMPRESSED) {
                    long first = e.compressedSectorStart(clusterBits);
                    long bytes = e.compressedSectorBytes(clusterBits);
                    for (long c = first >>> clusterBits; c <= (first + bytes - 1) >>> clusterBits; c++) {
                        add(counts, c, 1);
                    }
                } else if (e.ownsHostCluster() && e.hostOffset() != 0) {
                    add(counts, e.hostOffset() >>> clusterBits, 1);
                    copy.putLong(j * 8, e.withCopied(false).raw());
                }
            }
            file.write(nextL2 << clusterBits, copy);
            newL1[i] = L1Entry.of(nextL2 << clusterBits, true).raw();
            nextL2++;
        }
        // The old refcount structure and snapshot table are no longer referenced.
        List<Long> freed = new ArrayList<>();
        for (long c = refcounts.tableOffset() >>> clusterBits; c < (refcounts.tableOffset() >>> clusterBits)
                + refcounts.tableClusters(); c++) {
            freed.add(c);
        }
        for (int t = 0; t < oldBlocks; t++) {
            if (oldTable[t] != 0) {
                freed.add(oldTable[t] >>> clusterBits);
            }
        }
        if (img.snapshotsOffset != 0 && !img.snapshots.isEmpty()) {
            long first = img.snapshotsOffset >>> clusterBits;
            for (long c = first; c < first + clusters(Snapshot.tableLength(img.snapshots)); c++) {
                freed.add(c);
            }
        }
        for (long c : freed) {
            add(counts, c, -1);
        }
        for (long c = start; c < end; c++) {
            set(counts, c, 1);
        }

        ByteBuffer l1Bytes = ByteBuffer.allocate(l1Clusters * clusterSize).order(ByteOrder.BIG_ENDIAN);
        l1Bytes.asLongBuffer().put(newL1);
        file.write(l1Start << clusterBits, l1Bytes);
        file.write(snapStart << clusterBits, table);
        long[] rt = new long[rtClusters * clusterSize / 8];
        for (int t = 0; t < blocks; t++) {
            rt[t] = (blockStart + t) << clusterBits;
            file.write(rt[t], counts[t].duplicate().clear());
        }
        ByteBuffer rtBytes = ByteBuffer.allocate(rtClusters * clusterSize).order(ByteOrder.BIG_ENDIAN);
        rtBytes.asLongBuffer().put(rt);
        file.write(rtStart << clusterBits, rtBytes);
        file.force();

        ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.BIG_ENDIAN)
                .putLong(l1Start << clusterBits).putLong(rtStart << clusterBits).putInt(rtClusters)
                .putInt(next.size()).putLong(snapStart << clusterBits).flip();
        file.write(OFFSET_L1_TABLE, header);
        file.force();

        img.resized(img.size(), newL1, l1Start << clusterBits);
        img.snapshots = next;
        img.snapshotsOffset = snapStart << clusterBits;
        refcounts.replace(rt, rtStart << clusterBits, rtClusters, end);
        for (long c : freed) {
            file.punchHole(c << clusterBits, clusterSize);
        }
    }

    private void add(ByteBuffer[] counts, long cluster, long delta) throws BlockDeviceException {
        ByteBuffer block = counts[(int) (cluster >>> blockBits)];
        int index = (int) (cluster & ((1L << blockBits) - 1));
        long value = RefcountBlock.get(block, index, order) + delta;
        if (value < 0 || value > RefcountBlock.max(order)) {
            throw new Qcow2FormatException("refcount of cluster " + cluster + " would become " + value
                    + "; nothing was changed (qemu-img check the image)");
        }
        RefcountBlock.set(block, index, order, value);
    }

    private void set(ByteBuffer[] counts, long cluster, long value) {
        RefcountBlock.set(counts[(int) (cluster >>> blockBits)], (int) (cluster & ((1L << blockBits) - 1)), order,
                value);
    }

    private int clusters(long bytes) {
        return (int) ((bytes + clusterSize - 1) / clusterSize);
    }
}

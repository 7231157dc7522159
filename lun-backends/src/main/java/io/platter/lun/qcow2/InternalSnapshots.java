package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshots (qcow2.txt "Snapshots"): create, revert and delete. Create switches over
 * in one header write ({@link ShadowSnapshot}); revert and delete are ordered so that a crash
 * leaves leaked clusters (refcounts are raised before anything new refers to the clusters and
 * lowered only after the last reference is durably gone), though a crash between their refcount
 * and COPIED-flag writes can leave flags qemu-img check reports until {@code -r all}. Runs under the image's
 * write lock; one instance per operation.
 */
final class InternalSnapshots {

    private final Qcow2Image img;
    private final ImageFile file;
    private final Refcounts refcounts;
    private final int clusterBits;
    private final int clusterSize;

    InternalSnapshots(Qcow2Image img) {
        this.img = img;
        this.file = img.imageFile();
        this.refcounts = img.refcounts;
        this.clusterBits = img.clusterBits;
        this.clusterSize = img.clusterSize;
    }

    Snapshot create(String name) throws BlockDeviceException {
        if (name.isEmpty() || find(name) != null) {
            throw new BlockDeviceException("a snapshot named '" + name + "' already exists (or the name is empty)");
        }
        if (img.snapshots.size() >= Snapshot.MAX_SNAPSHOTS) {
            throw new BlockDeviceException("an image holds at most " + Snapshot.MAX_SNAPSHOTS + " snapshots");
        }
        img.commitMetadata();
        requireHeadroom(img.l1);
        long id = 0;
        for (Snapshot s : img.snapshots) {
            try {
                id = Math.max(id, Long.parseLong(s.id()));
            } catch (NumberFormatException e) {
                // non-numeric ids do not take part in numbering
            }
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        long[] l1 = img.l1;
        if (l1.length > 0) {
            // The active L1 becomes the snapshot's; one header write switches to the new active one.
            Snapshot snapshot = Snapshot.create(img.l1Offset, l1.length, Long.toString(id + 1), name, now, img.size());
            new ShadowSnapshot(img).create(snapshot);
            return snapshot;
        }
        Snapshot snapshot = Snapshot.create(0, 0, Long.toString(id + 1), name, now, img.size());
        List<Snapshot> next = new ArrayList<>(img.snapshots);
        next.add(snapshot);
        writeTable(next);
        return snapshot;
    }

    void revert(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        if (s.l1Size() > img.l1.length || (s.diskSize() >= 0 && s.diskSize() != img.size())) {
            throw new BlockDeviceException("snapshot '" + s.name() + "' has a different disk size ("
                    + s.diskSize() + " bytes); reverting across a resize is not supported");
        }
        img.commitMetadata();
        long[] target = readL1(s);
        requireHeadroom(target);
        addToAll(target, 1);
        file.force();
        long[] old = img.l1.clone();
        for (int i = 0; i < img.l1.length; i++) {
            img.l1[i] = i < target.length ? target[i] : 0;
        }
        file.write(img.l1Offset, encodeL1(img.l1));
        file.force();
        addToAll(old, -1);
        fixCopiedFlags();
        file.force();
    }

    void delete(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        img.commitMetadata();
        long[] l1 = readL1(s);
        List<Snapshot> next = new ArrayList<>(img.snapshots);
        next.remove(s);
        writeTable(next);
        addToAll(l1, -1);
        if (s.l1Size() > 0) {
            refcounts.updateRange(s.l1TableOffset(), (long) clusters(s.l1Size() * 8L) * clusterSize, -1);
        }
        fixCopiedFlags();
        file.force();
    }

    /** Finds by id first, then by name, as QEMU does. */
    private Snapshot find(String idOrName) {
        for (Snapshot s : img.snapshots) {
            if (s.id().equals(idOrName)) {
                return s;
            }
        }
        for (Snapshot s : img.snapshots) {
            if (s.name().equals(idOrName)) {
                return s;
            }
        }
        return null;
    }

    private Snapshot require(String idOrName) throws BlockDeviceException {
        Snapshot s = find(idOrName);
        if (s == null) {
            throw new BlockDeviceException("no snapshot '" + idOrName + "' in " + file.path());
        }
        return s;
    }

    private long[] readL1(Snapshot s) throws BlockDeviceException {
        return Qcow2Image.readL1Table(file, s.l1TableOffset(), s.l1Size(), clusterSize, refcounts.endOffset());
    }

    private int clusters(long bytes) {
        return (int) ((bytes + clusterSize - 1) / clusterSize);
    }

    private static ByteBuffer encodeL1(long[] l1) {
        ByteBuffer b = ByteBuffer.allocate(l1.length * 8).order(ByteOrder.BIG_ENDIAN);
        b.asLongBuffer().put(l1);
        return b;
    }

    /** Adds {@code delta} to every L2 table and data cluster reachable from {@code l1}. */
    private void addToAll(long[] l1, long delta) throws BlockDeviceException {
        forEachReference(l1, c -> refcounts.update(c, delta));
    }

    /**
     * Refuses a new reference to every cluster {@code l1} uses when one would overflow (an image
     * made with refcount_bits=1 cannot hold a snapshot), before any refcount changes.
     */
    private void requireHeadroom(long[] l1) throws BlockDeviceException {
        forEachReference(l1, refcounts::requireRoom);
    }

    /** A host cluster index. */
    private interface ClusterVisitor {
        void visit(long cluster) throws BlockDeviceException;
    }

    /** Visits every host cluster {@code l1} refers to: its L2 tables and the data (or compressed) clusters in them. */
    private void forEachReference(long[] l1, ClusterVisitor visitor) throws BlockDeviceException {
        for (long entry : l1) {
            long l2 = entry & L1Entry.OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            ByteBuffer table = img.l2Cache.get(l2).duplicate().order(ByteOrder.BIG_ENDIAN);
            long[] entries = new long[clusterSize / 8];
            table.clear();
            table.asLongBuffer().get(entries);
            for (long raw : entries) {
                L2Entry e = new L2Entry(raw);
                if (e.kind() == L2Entry.Kind.COMPRESSED) {
                    long start = e.compressedSectorStart(clusterBits);
                    long bytes = e.compressedSectorBytes(clusterBits);
                    for (long c = start >>> clusterBits; bytes > 0 && c <= (start + bytes - 1) >>> clusterBits; c++) {
                        visitor.visit(c);
                    }
                } else if (e.hostOffset() != 0) {
                    visitor.visit(e.hostOffset() >>> clusterBits);
                }
            }
            visitor.visit(l2 >>> clusterBits);
        }
    }

    /** Sets the COPIED bits of the active L1 and its L2 tables from the refcounts (refcount exactly one). */
    private void fixCopiedFlags() throws BlockDeviceException {
        long[] l1 = img.l1;
        for (int i = 0; i < l1.length; i++) {
            long l2 = l1[i] & L1Entry.OFFSET_MASK;
            if (l2 == 0) {
                continue;
            }
            long fixedL1 = new L1Entry(l1[i]).withCopied(refcounts.get(l2 >>> clusterBits) == 1).raw();
            if (fixedL1 != l1[i]) {
                l1[i] = fixedL1;
                img.writeL1Entry(i);
            }
            ByteBuffer table = img.l2Cache.get(l2);
            boolean changed = false;
            for (int j = 0; j < clusterSize / 8; j++) {
                L2Entry e = new L2Entry(table.getLong(j * 8));
                if (!e.ownsHostCluster()) {
                    continue;
                }
                L2Entry fixed = e.withCopied(refcounts.get(e.hostOffset() >>> clusterBits) == 1);
                if (fixed.raw() != e.raw()) {
                    table.putLong(j * 8, fixed.raw());
                    changed = true;
                }
            }
            if (changed) {
                img.l2Cache.writeThrough(l2, table, 0, clusterSize);
            }
        }
    }

    /** Writes {@code next} as the new snapshot table, switches the header to it, then frees the old one. */
    private void writeTable(List<Snapshot> next) throws BlockDeviceException {
        long oldOffset = img.snapshotsOffset;
        long oldLength = Snapshot.tableLength(img.snapshots);
        long offset = 0;
        if (!next.isEmpty()) {
            ByteBuffer table = Snapshot.encodeTable(next);
            offset = refcounts.allocate(clusters(table.remaining()));
            file.write(offset, table);
        }
        file.force();
        file.write(Header.OFFSET_SNAPSHOTS, ByteBuffer.allocate(12).putInt(next.size()).putLong(offset).flip());
        file.force();
        if (oldOffset != 0 && oldLength > 0) {
            refcounts.updateRange(oldOffset, (long) clusters(oldLength) * clusterSize, -1);
        }
        img.snapshots = next;
        img.snapshotsOffset = offset;
    }
}

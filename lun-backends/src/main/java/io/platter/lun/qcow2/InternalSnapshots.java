package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Internal snapshots (qcow2.txt "Snapshots"): create, revert and delete. Each checks what it can
 * before writing anything, then switches the image to the new snapshot list and active view in
 * one atomic {@link MetadataRewrite}, so a crash at any instant leaves the state before or after
 * the operation, never corruption. Runs under the map's write lock; one instance per operation.
 */
final class InternalSnapshots {

    private final ClusterMap map;

    InternalSnapshots(ClusterMap map) {
        this.map = map;
    }

    /**
     * Takes snapshot {@code name} of every map at one instant (crash-consistent across them): the
     * write locks are taken in list order (the caller sorts by image path, so two groups never
     * deadlock), every snapshot is taken, then all locks are released. If one fails, those already
     * taken are deleted and the failure is thrown. Returns the snapshots in list order.
     */
    static List<Snapshot> createAll(List<ClusterMap> maps, String name) throws BlockDeviceException {
        List<Snapshot> taken = new ArrayList<>();
        int locked = 0;
        try {
            for (ClusterMap m : maps) {
                m.lock().writeLock().lock();
                locked++;
            }
            try {
                for (ClusterMap m : maps) {
                    taken.add(new InternalSnapshots(m).create(name));
                }
            } catch (BlockDeviceException | RuntimeException e) {
                for (int k = 0; k < taken.size(); k++) {
                    try {
                        new InternalSnapshots(maps.get(k)).delete(taken.get(k).id());
                    } catch (BlockDeviceException | RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw e;
            }
        } finally {
            for (int k = locked - 1; k >= 0; k--) {
                maps.get(k).lock().writeLock().unlock();
            }
        }
        return taken;
    }

    /** The new snapshot's L1 table is the active one as it is on disk; the active view moves to copies. */
    Snapshot create(String name) throws BlockDeviceException {
        if (name.isEmpty() || find(name) != null) {
            throw new BlockDeviceException("a snapshot named '" + name + "' already exists (or the name is empty)");
        }
        if (map.snapshots().size() >= Snapshot.MAX_SNAPSHOTS) {
            throw new BlockDeviceException("an image holds at most " + Snapshot.MAX_SNAPSHOTS + " snapshots");
        }
        map.commitMetadata();
        long[] l1 = map.l1();
        long id = 0;
        for (Snapshot s : map.snapshots()) {
            try {
                id = Math.max(id, Long.parseLong(s.id()));
            } catch (NumberFormatException e) {
                // non-numeric ids do not take part in numbering
            }
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        Snapshot snapshot = Snapshot.create(l1.length == 0 ? 0 : map.l1Offset(), l1.length, Long.toString(id + 1),
                name, now, map.size());
        List<Snapshot> next = new ArrayList<>(map.snapshots());
        next.add(snapshot);
        new MetadataRewrite(map).apply(next, l1);
        return snapshot;
    }

    /**
     * Makes the snapshot's contents and disk size current. A snapshot taken before a resize
     * records its virtual disk size in its extra data (qcow2.txt "Snapshots", extra data bytes
     * 8-15); the revert sets the image to that size, as {@code qemu-img snapshot -a} does. The
     * active L1 table keeps its length when it is longer than the snapshot's (QEMU keeps it too),
     * so a guest offset checked against the old size still indexes inside it; entries past what
     * the snapshot maps are empty. An entry without the size field reverts at the current size.
     */
    void revert(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        long newSize = s.diskSize() >= 0 ? s.diskSize() : map.size();
        if (newSize < 0 || newSize % 512 != 0 || s.l1Size() < Header.l1EntriesFor(newSize, map.clusterBits())) {
            throw new Qcow2FormatException("snapshot '" + s.name() + "' records a disk size of " + newSize
                    + " bytes that its L1 table of " + s.l1Size() + " entries cannot map");
        }
        int length = Math.max(map.l1().length, s.l1Size());
        if (length * 8L > ClusterMap.MAX_L1_BYTES) {
            throw new Qcow2FormatException("snapshot '" + s.name() + "' has an L1 table larger than 32 MiB");
        }
        map.commitMetadata();
        long[] target = ClusterMap.readL1Table(map.file(), s.l1TableOffset(), s.l1Size(), map.clusterSize(),
                map.refcounts().endOffset());
        new MetadataRewrite(map).apply(map.snapshots(), Arrays.copyOf(target, length), newSize);
    }

    void delete(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        map.commitMetadata();
        List<Snapshot> next = new ArrayList<>(map.snapshots());
        next.remove(s);
        new MetadataRewrite(map).apply(next, map.l1());
    }

    /** Finds by id first, then by name, as QEMU does. */
    private Snapshot find(String idOrName) {
        for (Snapshot s : map.snapshots()) {
            if (s.id().equals(idOrName)) {
                return s;
            }
        }
        for (Snapshot s : map.snapshots()) {
            if (s.name().equals(idOrName)) {
                return s;
            }
        }
        return null;
    }

    private Snapshot require(String idOrName) throws BlockDeviceException {
        Snapshot s = find(idOrName);
        if (s == null) {
            throw new BlockDeviceException("no snapshot '" + idOrName + "' in " + map.file().path());
        }
        return s;
    }
}

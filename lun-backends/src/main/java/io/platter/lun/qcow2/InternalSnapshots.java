package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Internal snapshots (qcow2.txt "Snapshots"): create, revert and delete. Each checks what it can
 * before writing anything, then switches the image to the new snapshot list and active view in
 * one atomic {@link MetadataRewrite}, so a crash at any instant leaves the state before or after
 * the operation, never corruption. Runs under the image's write lock; one instance per operation.
 */
final class InternalSnapshots {

    private final Qcow2Image img;

    InternalSnapshots(Qcow2Image img) {
        this.img = img;
    }

    /** The new snapshot's L1 table is the active one as it is on disk; the active view moves to copies. */
    Snapshot create(String name) throws BlockDeviceException {
        if (name.isEmpty() || find(name) != null) {
            throw new BlockDeviceException("a snapshot named '" + name + "' already exists (or the name is empty)");
        }
        if (img.snapshots.size() >= Snapshot.MAX_SNAPSHOTS) {
            throw new BlockDeviceException("an image holds at most " + Snapshot.MAX_SNAPSHOTS + " snapshots");
        }
        img.commitMetadata();
        long[] l1 = img.l1;
        long id = 0;
        for (Snapshot s : img.snapshots) {
            try {
                id = Math.max(id, Long.parseLong(s.id()));
            } catch (NumberFormatException e) {
                // non-numeric ids do not take part in numbering
            }
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        Snapshot snapshot = Snapshot.create(l1.length == 0 ? 0 : img.l1Offset, l1.length, Long.toString(id + 1),
                name, now, img.size());
        List<Snapshot> next = new ArrayList<>(img.snapshots);
        next.add(snapshot);
        new MetadataRewrite(img).apply(next, l1);
        return snapshot;
    }

    void revert(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        if (s.l1Size() > img.l1.length || (s.diskSize() >= 0 && s.diskSize() != img.size())) {
            throw new BlockDeviceException("snapshot '" + s.name() + "' has a different disk size ("
                    + s.diskSize() + " bytes); reverting across a resize is not supported");
        }
        img.commitMetadata();
        long[] target = Qcow2Image.readL1Table(img.imageFile(), s.l1TableOffset(), s.l1Size(), img.clusterSize,
                img.refcounts.endOffset());
        new MetadataRewrite(img).apply(img.snapshots, Arrays.copyOf(target, img.l1.length));
    }

    void delete(String idOrName) throws BlockDeviceException {
        Snapshot s = require(idOrName);
        img.commitMetadata();
        List<Snapshot> next = new ArrayList<>(img.snapshots);
        next.remove(s);
        new MetadataRewrite(img).apply(next, img.l1);
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
            throw new BlockDeviceException("no snapshot '" + idOrName + "' in " + img.imageFile().path());
        }
        return s;
    }
}

package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Copies that move clusters between layers of a backing chain (qcow2.txt "Header", backing_file
 * fields): flattening an overlay (every cluster it still reads from its backing chain is copied
 * into it, then the backing reference is dropped) and materialising an internal snapshot into a
 * new image over the same backing file. Data moves in runs of up to {@link #RUN_CLUSTERS}
 * clusters so each run costs one metadata commit; the data buffers are pooled and released here.
 */
final class BackingCopy {

    /** Clusters moved per metadata commit (1 MiB with 64 KiB clusters). */
    static final int RUN_CLUSTERS = 16;

    private final Qcow2Image img;
    private final ClusterMap map;
    private final ClusterIo io;
    private final int clusterSize;

    BackingCopy(Qcow2Image img, ClusterIo io) {
        this.img = img;
        this.map = img.clusterMap();
        this.io = io;
        this.clusterSize = map.clusterSize();
    }

    /**
     * Flattens {@code img} online: a cluster is copied only while it is still unallocated in the
     * overlay, checked under the write lock, so writes of initiators win over backing data.
     * Backing ranges that read as zeros are skipped (the image stays thin). Then the data is made
     * durable and the backing reference dropped from the header.
     */
    void flatten(LongConsumer progress) throws BlockDeviceException {
        BlockDevice backing = img.backing();
        if (backing == null) {
            return;
        }
        if (!img.snapshots().isEmpty()) {
            throw new BlockDeviceException(img.file() + " has internal snapshots that read unwritten clusters from "
                    + img.backingFile() + "; delete them before flattening");
        }
        long limit = Math.min(img.size(), backing.size());
        long runBytes = (long) RUN_CLUSTERS * clusterSize;
        for (long run = 0; run < limit; run += runBytes) {
            int clusters = (int) Math.min(RUN_CLUSTERS, (limit - run + clusterSize - 1) / clusterSize);
            boolean[] data = backingData(backing, run, clusters, limit);
            if (any(data)) {
                copyRun(backing, run, clusters, data);
            }
            progress.accept(Math.min(limit, run + runBytes));
        }
        dropBacking();
    }

    /**
     * Drops the backing file reference once every cluster is in the image: a barrier, then
     * backing_file_offset and backing_file_size cleared in one 12-byte write inside the first
     * sector (a crash leaves either the old or the new header), a barrier, then the backing format
     * extension and the name, now unreferenced, are cleared from the header cluster.
     */
    private void dropBacking() throws BlockDeviceException {
        ImageFile file = map.file();
        BlockDevice old;
        map.lock().writeLock().lock();
        try {
            Header h = map.header();
            if (!h.hasBackingFile()) {
                return;
            }
            // The copied clusters' L2 entries must be durable before the backing file stops showing through.
            map.commitMetadata();
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
            old = map.backingDropped(h.withoutBacking());
        } finally {
            map.lock().writeLock().unlock();
        }
        old.close();
    }

    /** Which clusters of the run at {@code run} hold data in the backing chain. */
    private boolean[] backingData(BlockDevice backing, long run, int clusters, long limit) throws BlockDeviceException {
        boolean[] data = new boolean[clusters];
        long end = Math.min(limit, run + (long) clusters * clusterSize);
        for (long pos = run; pos < end; ) {
            BlockDevice.Extent x = backing.extentAt(pos);
            long xEnd = Math.min(end, pos + Math.max(1, x.length()));
            if (x.mapped()) {
                for (long c = pos; c < xEnd; c = (c | (clusterSize - 1)) + 1) {
                    data[(int) ((c - run) / clusterSize)] = true;
                }
            }
            pos = xEnd;
        }
        return data;
    }

    private static boolean any(boolean[] flags) {
        for (boolean f : flags) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    /** Reads the run from the backing chain outside the lock, then writes the clusters still unallocated. */
    private void copyRun(BlockDevice backing, long run, int clusters, boolean[] data) throws BlockDeviceException {
        int length = (int) Math.min((long) clusters * clusterSize, img.size() - run);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            long covered = Math.max(0, Math.min(length, backing.size() - run));
            backing.read(run, (int) covered, buf);
            buf.writeZero(length - (int) covered);
            map.lock().writeLock().lock();
            try {
                int start = -1;
                for (int c = 0; c <= clusters; c++) {
                    boolean copy = c < clusters && data[c]
                            && map.entryAt(run + (long) c * clusterSize).kind() == L2Entry.Kind.UNALLOCATED;
                    if (copy && start < 0) {
                        start = c;
                    } else if (!copy && start >= 0) {
                        int from = start * clusterSize;
                        int to = Math.min(length, c * clusterSize);
                        io.writeAllocating(run + from, buf, from, to - from);
                        start = -1;
                    }
                }
            } finally {
                map.lock().writeLock().unlock();
            }
        } finally {
            buf.release();
        }
    }

    /**
     * Writes snapshot {@code idOrName} of {@code img} into {@code target} (new, same backing file,
     * the snapshot's disk size): data clusters are copied, zero clusters become zero clusters where
     * the backing file would show through, unallocated clusters stay unallocated.
     */
    void materialise(String idOrName, Qcow2Image target, LongConsumer progress) throws BlockDeviceException {
        Snapshot s = find(idOrName);
        long size = target.size();
        long[] l1;
        map.lock().readLock().lock();
        try {
            l1 = ClusterMap.readL1Table(map.file(), s.l1TableOffset(), s.l1Size(), clusterSize, map.dataEnd());
        } finally {
            map.lock().readLock().unlock();
        }
        int l2Entries = clusterSize / 8;
        long perL2 = (long) l2Entries * clusterSize;
        BlockDevice targetBacking = target.backing();
        for (int i = 0; i < l1.length && (long) i * perL2 < size; i++) {
            long l2 = l1[i] & L1Entry.OFFSET_MASK;
            if (l2 != 0) {
                copyTable(l2, (long) i * perL2, size, targetBacking, target);
            }
            progress.accept(Math.min(size, (long) (i + 1) * perL2));
        }
        target.flush();
    }

    private Snapshot find(String idOrName) throws BlockDeviceException {
        List<Snapshot> all = img.snapshots();
        for (Snapshot s : all) {
            if (s.id().equals(idOrName)) {
                return s;
            }
        }
        for (Snapshot s : all) {
            if (s.name().equals(idOrName)) {
                return s;
            }
        }
        throw new BlockDeviceException("no snapshot '" + idOrName + "' in " + img.file());
    }

    /** Copies the clusters one snapshot L2 table maps, from guest offset {@code base}. */
    private void copyTable(long l2, long base, long size, BlockDevice targetBacking, Qcow2Image target)
            throws BlockDeviceException {
        long[] entries = new long[clusterSize / 8];
        map.lock().readLock().lock();
        try {
            ByteBuffer table = map.l2Table(l2).duplicate().order(ByteOrder.BIG_ENDIAN);
            table.clear();
            table.asLongBuffer().get(entries);
        } finally {
            map.lock().readLock().unlock();
        }
        int j = 0;
        while (j < entries.length && base + (long) j * clusterSize < size) {
            long guest = base + (long) j * clusterSize;
            L2Entry e = new L2Entry(entries[j]);
            switch (e.kind()) {
                case NORMAL, COMPRESSED -> {
                    int n = 1;
                    while (n < RUN_CLUSTERS && j + n < entries.length && guest + (long) n * clusterSize < size
                            && isData(new L2Entry(entries[j + n]))) {
                        n++;
                    }
                    copyData(entries, j, n, guest, size, target);
                    j += n;
                }
                case ZERO, ZERO_ALLOCATED -> {
                    if (targetBacking != null && guest < targetBacking.size()) {
                        target.discard(guest, Math.min(clusterSize, size - guest));
                    }
                    j++;
                }
                default -> j++;
            }
        }
    }

    private static boolean isData(L2Entry e) {
        return e.kind() == L2Entry.Kind.NORMAL || e.kind() == L2Entry.Kind.COMPRESSED;
    }

    private void copyData(long[] entries, int first, int n, long guest, long size, Qcow2Image target)
            throws BlockDeviceException {
        int length = (int) Math.min((long) n * clusterSize, size - guest);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            map.lock().readLock().lock();
            try {
                for (int k = 0; k < n; k++) {
                    long at = guest + (long) k * clusterSize;
                    io.readMapped(at, (int) Math.min(clusterSize, size - at), new L2Entry(entries[first + k]), buf);
                }
            } finally {
                map.lock().readLock().unlock();
            }
            target.write(guest, buf, false);
        } finally {
            buf.release();
        }
    }

    /** The target of a materialisation: a new image at {@code path} over {@code img}'s backing file. */
    Qcow2Image createTarget(Path path, long size) throws java.io.IOException {
        BlockDevice backing = img.backing();
        String name = null;
        String format = null;
        if (backing != null) {
            Path resolved = img.file().toAbsolutePath().getParent().resolve(img.backingFile()).normalize();
            Path dir = path.toAbsolutePath().getParent();
            name = dir.equals(img.file().toAbsolutePath().getParent()) ? img.backingFile() : resolved.toString();
            format = backing instanceof Qcow2Image ? "qcow2" : "raw";
        }
        return Qcow2Image.create(path, size, map.clusterBits(), name, format);
    }
}

package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Guest I/O of a qcow2 image through its {@link ClusterMap} (qcow2.txt "Cluster mapping",
 * "Compressed Clusters Descriptor"): reads that coalesce host-contiguous clusters, in-place and
 * allocating (copy-on-write) writes, discards and extent queries. Takes the map's lock as its
 * javadoc states; callers have checked that the device is open and the range in bounds.
 * Buffers passed in are never released here; the pooled buffers used for copy-on-write are.
 */
final class ClusterIo {

    private static final int MAX_EXTENT_CLUSTERS = 1 << 16;

    private final ClusterMap map;
    private final ImageFile file;
    private final int clusterBits;
    private final int clusterSize;

    ClusterIo(ClusterMap map) {
        this.map = map;
        this.file = map.file();
        this.clusterBits = map.clusterBits();
        this.clusterSize = map.clusterSize();
    }

    /**
     * Appends {@code n} bytes of the guest cluster mapped by {@code e}, from {@code guest}, to
     * {@code dst}. Caller holds the lock.
     */
    void readMapped(long guest, int n, L2Entry e, ByteBuf dst) throws BlockDeviceException {
        switch (e.kind()) {
            case NORMAL:
                file.readInto(map.checkedHost(e, guest) + (guest & (clusterSize - 1)), n, dst);
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
        BlockDevice backing = map.backing();
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
        if (offset + 1 > map.dataEnd()) {
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

    /** Appends {@code length} guest bytes from {@code offset} (in range) to {@code dst}; does not take ownership of it. */
    void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        dst.ensureWritable(length);
        map.lock().readLock().lock();
        try {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                int n = (int) Math.min(end - pos, clusterSize - (pos & (clusterSize - 1)));
                L2Entry e = map.entryAt(pos);
                if (e.kind() == L2Entry.Kind.NORMAL) { // coalesce host-contiguous clusters into one read
                    long host = map.checkedHost(e, pos) + (pos & (clusterSize - 1));
                    long next = pos + n;
                    while (next < end) {
                        L2Entry f = map.entryAt(next);
                        if (f.kind() != L2Entry.Kind.NORMAL || map.checkedHost(f, next) != host + (next - pos)) {
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
            map.lock().readLock().unlock();
        }
    }

    // ---- write ----

    /**
     * Writes the {@code length > 0} readable bytes of {@code src} at {@code offset} (in range): in
     * place under the read lock when every cluster is owned alone, else under the write lock.
     * Does not take ownership of {@code src}; its reader index is unchanged.
     */
    void write(long offset, ByteBuf src, int length) throws BlockDeviceException {
        boolean done;
        map.lock().readLock().lock();
        try {
            done = writeInPlace(offset, src, src.readerIndex(), length);
        } finally {
            map.lock().readLock().unlock();
        }
        if (!done) {
            map.lock().writeLock().lock();
            try {
                writeAllocating(offset, src, src.readerIndex(), length);
            } finally {
                map.lock().writeLock().unlock();
            }
        }
    }

    /** Writes in place when every cluster is owned by the active table alone; false (nothing written) otherwise. */
    private boolean writeInPlace(long offset, ByteBuf src, int index, int length) throws BlockDeviceException {
        long end = offset + length;
        for (long pos = offset; pos < end; pos = (pos | (clusterSize - 1)) + 1) {
            if (!map.ownedInPlace(pos)) {
                return false;
            }
        }
        for (long pos = offset; pos < end; ) {
            int n = (int) Math.min(end - pos, clusterSize - (pos & (clusterSize - 1)));
            long host = map.entryAt(pos).hostOffset() + (pos & (clusterSize - 1));
            file.write(host, src, index + (int) (pos - offset), n);
            pos += n;
        }
        return true;
    }

    /** Writes {@code length} bytes of {@code src} from {@code index}, allocating as needed. Caller holds the write lock. */
    void writeAllocating(long offset, ByteBuf src, int index, int length) throws BlockDeviceException {
        ClusterMap.Batch batch = new ClusterMap.Batch();
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            int inCluster = (int) (pos & (clusterSize - 1));
            int n = (int) Math.min(end - pos, clusterSize - inCluster);
            long l2 = map.writableL2(map.l1Index(pos));
            int slot = map.l2Index(pos) * 8;
            L2Entry e = new L2Entry(map.l2Table(l2).getLong(slot));
            int srcIndex = index + (int) (pos - offset);
            if (e.kind() == L2Entry.Kind.NORMAL && e.copied()) {
                file.write(map.checkedHost(e, pos) + inCluster, src, srcIndex, n);
            } else {
                long host = map.allocate(1);
                writeCluster(host, pos - inCluster, inCluster, n, src, srcIndex, e);
                batch.map(l2, slot, L2Entry.normal(host, true).raw());
                batch.releaseLater(e);
            }
            pos += n;
        }
        map.apply(batch);
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

    // ---- discard, extents ----

    /**
     * Discards {@code [offset, offset+length)} (in range). Whole clusters are deallocated (made
     * zero clusters when a backing file could show through, which version 2 cannot express, so
     * there zeros are written); partial clusters are zeroed unless they already read as zeros.
     */
    void discard(long offset, long length) throws BlockDeviceException {
        map.lock().writeLock().lock();
        try {
            BlockDevice backing = map.backing();
            ClusterMap.Batch batch = new ClusterMap.Batch();
            List<long[]> zeroRanges = new ArrayList<>();
            long end = offset + length;
            for (long pos = offset; pos < end; ) {
                long clusterStart = pos & ~(long) (clusterSize - 1);
                long clusterEnd = Math.min(map.size(), clusterStart + clusterSize);
                long n = Math.min(end, clusterEnd) - pos;
                L2Entry e = map.entryAt(pos);
                boolean showsThrough = backing != null && clusterStart < backing.size();
                boolean whole = pos == clusterStart && pos + n == clusterEnd;
                if (readsZeros(e, clusterStart, backing)) {
                    // nothing to do
                } else if (!whole || (showsThrough && !map.header().zeroClusters())) {
                    zeroRanges.add(new long[] {pos, n});
                } else {
                    long l2 = map.writableL2(map.l1Index(pos));
                    long target = showsThrough ? L2Entry.ZERO.raw() : 0;
                    batch.map(l2, map.l2Index(pos) * 8L, target);
                    batch.releaseLater(e);
                }
                pos += n;
            }
            map.apply(batch);
            for (long[] z : zeroRanges) {
                ByteBuf zeros = PooledByteBufAllocator.DEFAULT.directBuffer((int) z[1]).writeZero((int) z[1]);
                try {
                    writeAllocating(z[0], zeros, 0, (int) z[1]);
                } finally {
                    zeros.release();
                }
            }
        } finally {
            map.lock().writeLock().unlock();
        }
    }

    private boolean readsZeros(L2Entry e, long clusterStart, BlockDevice backing) {
        return switch (e.kind()) {
            case ZERO, ZERO_ALLOCATED -> true;
            case UNALLOCATED -> backing == null || clusterStart >= backing.size();
            default -> false;
        };
    }

    /**
     * The extent from {@code offset} (see {@link BlockDevice#extentAt}). Mapped: data in this
     * image (standard or compressed clusters) or in the backing chain; unmapped: zero clusters and
     * clusters reading as zeros from nowhere.
     */
    BlockDevice.Extent extentAt(long offset) throws BlockDeviceException {
        long size = map.size();
        if (offset < 0 || offset >= size) {
            throw new BlockDeviceException.OutOfRange(offset, 1, size);
        }
        map.lock().readLock().lock();
        try {
            BlockDevice backing = map.backing();
            Boolean first = null;
            long pos = offset;
            for (int i = 0; pos < size && i < MAX_EXTENT_CLUSTERS; i++) {
                long clusterEnd = Math.min(size, (pos | (clusterSize - 1)) + 1);
                long runEnd = clusterEnd;
                boolean mapped;
                L2Entry e = map.entryAt(pos);
                switch (e.kind()) {
                    case NORMAL, COMPRESSED -> mapped = true;
                    case UNALLOCATED -> {
                        if (backing == null || pos >= backing.size()) {
                            mapped = false;
                        } else {
                            BlockDevice.Extent b = backing.extentAt(pos);
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
            return new BlockDevice.Extent(offset, pos - offset, first);
        } finally {
            map.lock().readLock().unlock();
        }
    }
}

package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU cache of metadata clusters (L2 tables or refcount blocks) keyed by host offset.
 * Write-through: every change is written to the file at once by {@link #writeThrough}, so an
 * evicted cluster never needs writing back and crash ordering is decided by the callers' barriers.
 *
 * <p>Thread-safe (synchronized). Buffers handed out are only modified by holders of the image's
 * write lock; readers under the read lock only use absolute gets.
 */
final class MetadataCache {

    private final ImageFile file;
    private final int clusterSize;
    private final Map<Long, ByteBuffer> clusters;

    MetadataCache(ImageFile file, int clusterSize, long budgetBytes) {
        this.file = file;
        this.clusterSize = clusterSize;
        int capacity = (int) Math.max(4, budgetBytes / clusterSize);
        this.clusters = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cluster at {@code offset}, loaded from the file on a miss. */
    synchronized ByteBuffer get(long offset) throws BlockDeviceException {
        ByteBuffer b = clusters.get(offset);
        if (b == null) {
            b = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            file.read(offset, b);
            b.clear();
            clusters.put(offset, b);
        }
        return b;
    }

    /** Installs a new cluster image and writes it whole. */
    synchronized void install(long offset, ByteBuffer content) throws BlockDeviceException {
        file.write(offset, content.duplicate().clear());
        clusters.put(offset, content);
    }

    /** Writes {@code length} bytes at {@code position} of the cached cluster at {@code offset} to the file. */
    void writeThrough(long offset, ByteBuffer cluster, int position, int length) throws BlockDeviceException {
        file.write(offset + position, cluster.duplicate().limit(position + length).position(position));
    }

    synchronized void invalidate(long offset) {
        clusters.remove(offset);
    }

    /** Forgets every cached cluster. */
    synchronized void clear() {
        clusters.clear();
    }

    synchronized int cached() {
        return clusters.size();
    }
}

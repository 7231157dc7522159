package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded cache of metadata clusters (L2 tables or refcount blocks) keyed by host offset, with
 * second-chance (clock) eviction. Clusters are written through by {@link #writeThrough} unless
 * their owner {@link #pin pins} them: a pinned cluster holds changes not yet on disk (the image's
 * dirty L2 tables, see {@link ClusterMap}) and is never evicted until {@link #unpin unpinned}.
 *
 * <p>Thread-safe. A hit is one concurrent-map lookup and no lock, so parallel readers do not
 * serialise on the cache; misses, pins and evictions synchronize on the cache. Buffers handed out
 * are only modified by holders of the {@link ClusterMap} write lock; readers under the read lock only use
 * absolute gets. An evicted buffer stays valid for whoever still holds it.
 */
final class MetadataCache {

    /** One cached cluster; {@code referenced} is the clock's second-chance bit. */
    private static final class Slot {
        final ByteBuffer buffer;
        volatile boolean referenced;
        /** Guarded by the cache. */
        boolean pinned;

        Slot(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    private final ImageFile file;
    private final int clusterSize;
    private final int capacity;
    private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
    /** The clock: offsets in insertion order, re-queued when referenced or pinned. Guarded by the cache. */
    private final ArrayDeque<Long> clock = new ArrayDeque<>();

    MetadataCache(ImageFile file, int clusterSize, long budgetBytes) {
        this.file = file;
        this.clusterSize = clusterSize;
        this.capacity = (int) Math.max(4, budgetBytes / clusterSize);
    }

    /** How many clusters fit the budget; pinned clusters beyond it are kept anyway. */
    int capacity() {
        return capacity;
    }

    /** The cluster at {@code offset}, loaded from the file on a miss. */
    ByteBuffer get(long offset) throws BlockDeviceException {
        ByteBuffer cached = peek(offset);
        return cached != null ? cached : load(offset);
    }

    /** The cached cluster at {@code offset}, or null; never reads the file (so never blocks on storage). */
    ByteBuffer peek(long offset) {
        Slot s = slots.get(offset);
        if (s == null) {
            return null;
        }
        if (!s.referenced) {
            s.referenced = true; // only written when it changes: hits do not dirty the cache line
        }
        return s.buffer;
    }

    private synchronized ByteBuffer load(long offset) throws BlockDeviceException {
        Slot s = slots.get(offset);
        if (s != null) {
            return s.buffer;
        }
        ByteBuffer b = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
        file.read(offset, b);
        b.clear();
        put(offset, new Slot(b));
        return b;
    }

    /** Installs a new cluster image and writes it whole. */
    synchronized void install(long offset, ByteBuffer content) throws BlockDeviceException {
        file.write(offset, content.duplicate().clear());
        put(offset, new Slot(content));
    }

    /**
     * Keeps {@code content} as the cluster at {@code offset} and never evicts it until
     * {@link #unpin}: it holds changes the owner writes back later. Not written now.
     */
    synchronized void pin(long offset, ByteBuffer content) {
        Slot s = slots.get(offset);
        if (s == null || s.buffer != content) {
            s = new Slot(content);
            put(offset, s);
        }
        s.pinned = true;
    }

    /** Lets the cluster at {@code offset} be evicted again (its changes are on disk). */
    synchronized void unpin(long offset) {
        Slot s = slots.get(offset);
        if (s != null) {
            s.pinned = false;
        }
    }

    /** Writes {@code length} bytes at {@code position} of the cached cluster at {@code offset} to the file. */
    void writeThrough(long offset, ByteBuffer cluster, int position, int length) throws BlockDeviceException {
        file.write(offset + position, cluster.duplicate().limit(position + length).position(position));
    }

    synchronized void invalidate(long offset) {
        if (slots.remove(offset) != null) {
            clock.remove(offset); // rare (a freed metadata cluster), so the linear scan is fine
        }
    }

    /** Drops every cluster (the structure they belong to was replaced wholesale); none may be pinned. */
    synchronized void clear() {
        slots.clear();
        clock.clear();
    }

    int cached() {
        return slots.size();
    }

    /** Caller holds the cache's monitor. */
    private void put(long offset, Slot s) {
        if (slots.put(offset, s) == null) {
            clock.addLast(offset);
        }
        evict();
    }

    /** Evicts unreferenced, unpinned clusters until within capacity; gives up after two turns of the clock. */
    private void evict() {
        for (int turns = 2 * clock.size(); slots.size() > capacity && turns > 0; turns--) {
            Long offset = clock.pollFirst();
            Slot s = slots.get(offset);
            if (s == null) {
                continue; // invalidated
            }
            if (s.pinned || s.referenced) {
                s.referenced = false;
                clock.addLast(offset);
            } else {
                slots.remove(offset);
            }
        }
    }
}

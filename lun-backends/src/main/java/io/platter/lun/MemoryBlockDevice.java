package io.platter.lun;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A thin in-memory device for tests: a sparse map of 64 KiB chunks, allocated on first write
 * and freed when a discard covers them whole, so a 1 GiB device costs nothing until written.
 *
 * <p>Thread-safe: the chunk map is concurrent and chunks are created atomically; concurrent
 * calls on overlapping ranges interleave as the {@link BlockDevice} contract allows.
 */
public final class MemoryBlockDevice implements BlockDevice {

    /** Allocation unit. */
    public static final int CHUNK = 64 * 1024;

    private final long size;
    private final boolean readOnly;
    private final ConcurrentMap<Long, byte[]> chunks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A writable device of {@code sizeBytes}, a positive multiple of 512. */
    public MemoryBlockDevice(long sizeBytes) {
        this(sizeBytes, false);
    }

    public MemoryBlockDevice(long sizeBytes, boolean readOnly) {
        if (sizeBytes <= 0 || sizeBytes % 512 != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of 512: " + sizeBytes);
        }
        this.size = sizeBytes;
        this.readOnly = readOnly;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean thin() {
        return true;
    }

    /** Any length: one copy into memory, with no crash to survive. */
    @Override
    public int untornWriteBytes() {
        return Integer.MAX_VALUE;
    }

    /** Bytes held in memory: the number of allocated chunks times {@link #CHUNK}. */
    @Override
    public long allocatedBytes() {
        return (long) chunks.size() * CHUNK;
    }

    /** {@inheritDoc} Does not take ownership of {@code dst}. */
    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        ensureOpen();
        checkRange(offset, length);
        dst.ensureWritable(length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(CHUNK - within, end - pos);
            byte[] chunk = chunks.get(pos / CHUNK);
            if (chunk == null) {
                dst.writeZero(n);
            } else {
                dst.writeBytes(chunk, within, n);
            }
            pos += n;
        }
    }

    /** {@inheritDoc} Memory never waits: always reads. Does not take ownership of {@code dst}. */
    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        read(offset, length, dst);
        return true;
    }

    /** {@inheritDoc} Does not take ownership of {@code src}; its reader index is unchanged. */
    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        ensureWritable();
        int length = src.readableBytes();
        checkRange(offset, length);
        int index = src.readerIndex();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(CHUNK - within, end - pos);
            byte[] chunk = chunks.computeIfAbsent(pos / CHUNK, k -> new byte[CHUNK]);
            src.getBytes(index, chunk, within, n);
            index += n;
            pos += n;
        }
    }

    @Override
    public void flush() throws BlockDeviceException {
        ensureOpen();
    }

    /** {@inheritDoc} Frees wholly covered chunks and zeros the covered part of the others. */
    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        ensureWritable();
        checkRange(offset, length);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(CHUNK - within, end - pos);
            if (n == CHUNK) {
                chunks.remove(pos / CHUNK);
            } else {
                byte[] chunk = chunks.get(pos / CHUNK);
                if (chunk != null) {
                    Arrays.fill(chunk, within, within + n, (byte) 0);
                }
            }
            pos += n;
        }
    }

    /** {@inheritDoc} Allocation is tracked per {@link #CHUNK}. */
    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        ensureOpen();
        if (offset < 0 || offset >= size) {
            throw new BlockDeviceException.OutOfRange(offset, 1, size);
        }
        long index = offset / CHUNK;
        long next; // first chunk index in the other state
        boolean mapped = chunks.containsKey(index);
        if (mapped) {
            next = index + 1;
            while (chunks.containsKey(next)) { // bounded by the number of allocated chunks
                next++;
            }
        } else {
            next = Long.MAX_VALUE;
            for (long key : chunks.keySet()) { // a scan, not a walk over a possibly huge hole
                if (key > index && key < next) {
                    next = key;
                }
            }
        }
        long end = next >= (size + CHUNK - 1) / CHUNK ? size : next * CHUNK;
        return new Extent(offset, end - offset, mapped);
    }

    /** Frees all memory; further calls fail. */
    @Override
    public void close() {
        closed = true;
        chunks.clear();
    }

    private void ensureOpen() throws BlockDeviceException {
        if (closed) {
            throw new BlockDeviceException("memory device is closed");
        }
    }

    private void ensureWritable() throws BlockDeviceException {
        ensureOpen();
        if (readOnly) {
            throw new BlockDeviceException.ReadOnly("memory device is read-only");
        }
    }

    private void checkRange(long offset, long length) throws BlockDeviceException.OutOfRange {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new BlockDeviceException.OutOfRange(offset, length, size);
        }
    }
}

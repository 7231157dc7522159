package io.platter.lun;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;

/**
 * A linear byte-addressed storage device backing one logical unit.
 *
 * <p>Calls block: callers run them on an I/O executor, never on a network event loop. The one
 * exception is {@link #readIfCached}, which never waits and may run on any thread.
 * Implementations are safe for concurrent calls on disjoint or overlapping ranges (overlap
 * ordering is the caller's business). No method takes ownership of a buffer it is given: the
 * caller keeps and releases it.
 */
public interface BlockDevice extends Closeable {

    /** Size in bytes; a multiple of 512. */
    long size();

    /** Whether this device allocates space on write (and so can discard and run out of space). */
    boolean thin();

    /** Whether writes and discards are refused (they fail with {@link BlockDeviceException.ReadOnly}). */
    default boolean readOnly() {
        return false;
    }

    /**
     * Bytes of backing storage allocated to the device (may exceed {@link #size()} by metadata).
     * Devices that do not track allocation report {@link #size()}. May block on a system call.
     */
    default long allocatedBytes() {
        return size();
    }

    /**
     * Reads {@code length} bytes at {@code offset} and appends them to {@code dst} (its writer
     * index advances by {@code length}). Unallocated ranges read as zeros.
     */
    void read(long offset, int length, ByteBuf dst) throws BlockDeviceException;

    /**
     * Like {@link #read} but only when that needs no wait for storage (the data is in memory, e.g.
     * the page cache): returns true with the bytes appended to {@code dst}, or false with
     * {@code dst}'s content and indexes unchanged (it may have grown its capacity), and the caller
     * then calls {@link #read} on an I/O executor. Never blocks, so it may run on an event loop: a
     * small read of cached data then costs no thread hand-off. The default declines.
     */
    default boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        return false;
    }

    /**
     * Writes the readable bytes of {@code src} at {@code offset}. The reader index of
     * {@code src} is left unchanged. When {@code durable} is true the data is on stable
     * storage before this returns (forced unit access).
     */
    void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException;

    /**
     * The longest {@link #write}, in bytes, that this device applies as one piece: a write of at
     * most this length from a single contiguous buffer, starting at a multiple of 4096 bytes, is
     * one host write call, never split into several or into several allocations. 0 (the default)
     * when no such promise holds, e.g. a format whose write may update metadata for each cluster
     * it spans. The SCSI layer builds WRITE ATOMIC on it (SBC-4 §4.29).
     */
    default int untornWriteBytes() {
        return 0;
    }

    /** Makes every completed write durable (fdatasync). */
    void flush() throws BlockDeviceException;

    /**
     * Deallocates the range where the device can (thin devices punch holes); the range then
     * reads as zeros. A device that cannot deallocate writes zeros instead.
     */
    void discard(long offset, long length) throws BlockDeviceException;

    /**
     * Whether the byte at {@code offset} lies in an allocated extent, and how far that state
     * runs (in bytes, at least 1). Devices that do not track allocation report everything mapped.
     */
    Extent extentAt(long offset) throws BlockDeviceException;

    /**
     * Changes the size to {@code newSize} (a positive multiple of 512) while the device is in use;
     * I/O racing with a shrink may fail as out of range. Shrinking discards the data past the new end.
     *
     * @throws BlockDeviceException.NoSpace when a preallocated device cannot get the space
     * @throws BlockDeviceException when this device cannot change its size (the default)
     */
    default void resize(long newSize) throws BlockDeviceException {
        throw new BlockDeviceException(this + " cannot be resized");
    }

    /** Closes the device after flushing; further calls fail. */
    @Override
    void close() throws BlockDeviceException;

    /** A run of bytes with one allocation state, starting at {@code offset}. */
    record Extent(long offset, long length, boolean mapped) { }
}

package io.platter.scsi;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only in-memory block device that counts durable writes, flushes and discards and can fail
 * on demand. A thin one tracks allocation per 512-byte block (written blocks are mapped, discarded
 * ones are not); a thick one reports everything mapped and discards by zeroing.
 */
final class MemoryDevice implements BlockDevice {

    private final byte[] data;
    private final boolean thin;
    final AtomicInteger durableWrites = new AtomicInteger();
    final AtomicInteger cachedWrites = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger discards = new AtomicInteger();
    private final BitSet mapped = new BitSet();
    volatile BlockDeviceException failNext;
    volatile boolean closed;
    volatile boolean readOnly;
    volatile long allocated = -1;
    /** When set, every write flips bit 0 of this byte afterwards (a medium that corrupts data). */
    volatile int flipAfterWrite = -1;
    /** When set, runs at the start of every write (to hold a write in flight). */
    volatile Runnable beforeWrite;
    /** What {@link #untornWriteBytes} reports: any length, unless a test plays a format that cannot. */
    volatile int untornWriteBytes = Integer.MAX_VALUE;
    /** The number of NIO buffers the last write's source consisted of. */
    volatile int lastWritePieces;

    MemoryDevice(int bytes, boolean thin) {
        this.data = new byte[bytes];
        this.thin = thin;
    }

    byte[] bytes() {
        return data;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public boolean thin() {
        return thin;
    }

    @Override
    public int untornWriteBytes() {
        return untornWriteBytes;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** {@link #allocated} when set, else the whole size. */
    @Override
    public long allocatedBytes() {
        return allocated >= 0 ? allocated : data.length;
    }

    private void maybeFail(long offset, long length) throws BlockDeviceException {
        BlockDeviceException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
        if (offset < 0 || offset + length > data.length) {
            throw new BlockDeviceException.OutOfRange(offset, length, data.length);
        }
    }

    @Override
    public synchronized void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        maybeFail(offset, length);
        dst.writeBytes(data, (int) offset, length);
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        Runnable hook = beforeWrite;
        if (hook != null) {
            hook.run();
        }
        lastWritePieces = src.nioBufferCount();
        writeNow(offset, src, durable);
    }

    private synchronized void writeNow(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        maybeFail(offset, src.readableBytes());
        src.getBytes(src.readerIndex(), data, (int) offset, src.readableBytes());
        mapped.set((int) (offset / 512), (int) ((offset + src.readableBytes() + 511) / 512));
        if (flipAfterWrite >= 0) {
            data[flipAfterWrite] ^= 1;
        }
        (durable ? durableWrites : cachedWrites).incrementAndGet();
    }

    @Override
    public void flush() throws BlockDeviceException {
        maybeFail(0, 0);
        flushes.incrementAndGet();
    }

    @Override
    public synchronized void discard(long offset, long length) throws BlockDeviceException {
        maybeFail(offset, length);
        java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        if (thin) {
            mapped.clear((int) (offset / 512), (int) ((offset + length) / 512));
        }
        discards.incrementAndGet();
    }

    @Override
    public synchronized Extent extentAt(long offset) throws BlockDeviceException {
        maybeFail(offset, 1);
        if (!thin) {
            return new Extent(offset, data.length - offset, true);
        }
        int block = (int) (offset / 512);
        boolean isMapped = mapped.get(block);
        int next = isMapped ? mapped.nextClearBit(block) : mapped.nextSetBit(block);
        long end = next < 0 ? data.length : Math.min((long) next * 512, data.length);
        return new Extent(offset, end - offset, isMapped);
    }

    /** Whether the block at {@code lba} is allocated (always true for a thick device). */
    synchronized boolean isMapped(long lba) {
        return !thin || mapped.get((int) lba);
    }

    @Override
    public void close() {
        closed = true;
    }
}

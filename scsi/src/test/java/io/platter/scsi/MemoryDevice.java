package io.platter.scsi;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.util.concurrent.atomic.AtomicInteger;

/** Test-only in-memory block device that counts durable writes and flushes and can fail on demand. */
final class MemoryDevice implements BlockDevice {

    private final byte[] data;
    private final boolean thin;
    final AtomicInteger durableWrites = new AtomicInteger();
    final AtomicInteger cachedWrites = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    volatile BlockDeviceException failNext;
    volatile boolean closed;
    volatile boolean readOnly;
    volatile long allocated = -1;
    /** When set, every write flips bit 0 of this byte afterwards (a medium that corrupts data). */
    volatile int flipAfterWrite = -1;

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
    public synchronized void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        maybeFail(offset, src.readableBytes());
        src.getBytes(src.readerIndex(), data, (int) offset, src.readableBytes());
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
    public void discard(long offset, long length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Extent extentAt(long offset) {
        return new Extent(offset, data.length - offset, true);
    }

    @Override
    public void close() {
        closed = true;
    }
}

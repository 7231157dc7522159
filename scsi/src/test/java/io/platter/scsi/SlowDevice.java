package io.platter.scsi;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.util.function.LongToIntFunction;

/**
 * Test-only wrapper that makes a {@link MemoryDevice} slow and non-atomic: each read waits first,
 * each write lands in two halves with the wait in between, so overlapping commands that are not
 * kept apart by the SCSI core would see torn data. The wait (ms) may depend on the offset.
 */
final class SlowDevice implements BlockDevice {

    private final MemoryDevice inner;
    private final LongToIntFunction delayMs;

    SlowDevice(MemoryDevice inner, LongToIntFunction delayMs) {
        this.inner = inner;
        this.delayMs = delayMs;
    }

    private void pause(long offset) {
        int ms = delayMs.applyAsInt(offset);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public boolean thin() {
        return inner.thin();
    }

    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        pause(offset);
        inner.read(offset, length, dst);
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        int n = src.readableBytes();
        int half = n / 2;
        inner.write(offset, src.slice(src.readerIndex(), half), durable);
        pause(offset);
        inner.write(offset + half, src.slice(src.readerIndex() + half, n - half), durable);
    }

    @Override
    public void flush() throws BlockDeviceException {
        inner.flush();
    }

    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        inner.discard(offset, length);
    }

    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        return inner.extentAt(offset);
    }

    @Override
    public void close() {
        inner.close();
    }
}

package io.platter.scsi;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ForwardingDevice;
import java.util.function.LongToIntFunction;

/**
 * Test-only wrapper that makes a {@link MemoryDevice} slow and non-atomic: each read waits first,
 * each write lands in two halves with the wait in between, so overlapping commands that are not
 * kept apart by the SCSI core would see torn data. The wait (ms) may depend on the offset.
 */
final class SlowDevice extends ForwardingDevice {

    private final LongToIntFunction delayMs;

    SlowDevice(MemoryDevice inner, LongToIntFunction delayMs) {
        super(inner);
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
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        pause(offset);
        inner.read(offset, length, dst);
    }

    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) {
        return false; // every read waits
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        int n = src.readableBytes();
        int half = n / 2;
        inner.write(offset, src.slice(src.readerIndex(), half), durable);
        pause(offset);
        inner.write(offset + half, src.slice(src.readerIndex() + half, n - half), durable);
    }
}

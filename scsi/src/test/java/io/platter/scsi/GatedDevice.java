package io.platter.scsi;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.ForwardingDevice;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only wrapper that stops the first call of one kind (write, discard or read) in the middle
 * until the test opens the gate: a write or discard does its first half, signals {@link #paused}
 * and waits; a read waits before reading. Forces an interleaving without timing: whatever the
 * test runs while the call is paused either waits for it (kept apart by the SCSI core) or lands
 * in between (a tear).
 */
final class GatedDevice extends ForwardingDevice {

    enum Call { WRITE, DISCARD, READ }

    private final Call gated;
    private final AtomicBoolean armed = new AtomicBoolean(true);
    final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);

    GatedDevice(MemoryDevice inner, Call gated) {
        super(inner);
        this.gated = gated;
    }

    /** Lets the paused call go on. */
    void open() {
        gate.countDown();
    }

    /** Waits until the gated call is paused. */
    void awaitPaused() throws InterruptedException {
        if (!paused.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the gated call never came");
        }
    }

    private boolean take(Call call) {
        return call == gated && armed.compareAndSet(true, false);
    }

    private void pause() {
        paused.countDown();
        try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) {
        return false;
    }

    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        if (take(Call.READ)) {
            pause();
        }
        inner.read(offset, length, dst);
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        if (!take(Call.WRITE)) {
            inner.write(offset, src, durable);
            return;
        }
        int n = src.readableBytes();
        int half = n / 2;
        inner.write(offset, src.slice(src.readerIndex(), half), durable);
        pause();
        inner.write(offset + half, src.slice(src.readerIndex() + half, n - half), durable);
    }

    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        if (!take(Call.DISCARD)) {
            inner.discard(offset, length);
            return;
        }
        long half = length / 2;
        inner.discard(offset, half);
        pause();
        inner.discard(offset + half, length - half);
    }
}

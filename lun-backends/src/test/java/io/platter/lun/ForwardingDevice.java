package io.platter.lun;

import io.netty.buffer.ByteBuf;

/** Test base for devices that change a few calls of another device and forward the rest to it. */
public abstract class ForwardingDevice implements BlockDevice {

    protected final BlockDevice inner;

    protected ForwardingDevice(BlockDevice inner) {
        this.inner = inner;
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
    public boolean readOnly() {
        return inner.readOnly();
    }

    @Override
    public long allocatedBytes() {
        return inner.allocatedBytes();
    }

    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        inner.read(offset, length, dst);
    }

    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        return inner.readIfCached(offset, length, dst);
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        inner.write(offset, src, durable);
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
    public void resize(long newSize) throws BlockDeviceException {
        inner.resize(newSize);
    }

    @Override
    public void close() throws BlockDeviceException {
        inner.close();
    }
}

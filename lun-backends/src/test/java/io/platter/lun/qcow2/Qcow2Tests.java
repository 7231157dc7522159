package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;

/** Helpers shared by the qcow2 tests. */
final class Qcow2Tests {

    private Qcow2Tests() { }

    static byte[] read(BlockDevice dev, long offset, int length) throws BlockDeviceException {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            dev.read(offset, length, buf);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    static void write(BlockDevice dev, long offset, byte[] data) throws BlockDeviceException {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
        try {
            dev.write(offset, buf, false);
        } finally {
            buf.release();
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int x = seed * 0x9E3779B1 + i * 31 + (i >>> 8);
            out[i] = (byte) (x ^ (x >>> 13) | 1);
        }
        return out;
    }
}

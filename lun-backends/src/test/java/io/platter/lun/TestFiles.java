package io.platter.lun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Helpers shared by the backend tests. */
final class TestFiles {

    private TestFiles() { }

    /** Bytes actually allocated to {@code file} on disk ({@code stat -c %b} counts 512-byte units). */
    static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (p.waitFor() != 0) {
            throw new IOException("stat failed: " + out);
        }
        return Long.parseLong(out) * 512;
    }

    /** A pooled direct buffer holding {@code length} bytes of a pattern seeded by {@code seed}. */
    static ByteBuf pattern(int length, int seed) {
        // One bulk write: at paranoid leak detection every buffer call records a stack trace.
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        buf.writeBytes(patternBytes(length, seed));
        return buf;
    }

    static byte patternByte(int seed, int i) {
        int x = seed * 0x9E3779B1 + i * 31 + (i >>> 8);
        return (byte) (x ^ (x >>> 13) | 1); // never zero, so zeros are always distinguishable
    }

    /** Reads {@code length} bytes at {@code offset} into a fresh array (releasing the buffer). */
    static byte[] readBytes(BlockDevice dev, long offset, int length) throws BlockDeviceException {
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

    static void writePattern(BlockDevice dev, long offset, int length, int seed) throws BlockDeviceException {
        ByteBuf buf = pattern(length, seed);
        try {
            dev.write(offset, buf, false);
        } finally {
            buf.release();
        }
    }

    static byte[] patternBytes(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = patternByte(seed, i);
        }
        return out;
    }
}

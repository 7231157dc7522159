package io.platter.tests.support;

import java.nio.ByteBuffer;

/**
 * The verifiable content of one 4 KiB slot of a load-test region: a function of the session, the
 * slot and a per-write tag, so a read proves which write it returns. Tag 0 means "never written"
 * and is all zeros (a fresh thin LUN reads as zeros, SBC-4 §4.7.3.3 with LBPRZ).
 */
public final class LoadPattern {

    /** Bytes per slot. */
    public static final int SLOT = 4096;

    private LoadPattern() {
    }

    /** Fills {@code SLOT} bytes of {@code dst} at {@code offset} with the pattern of the write. */
    public static void fill(byte[] dst, int offset, int session, int slot, long tag) {
        ByteBuffer b = ByteBuffer.wrap(dst, offset, SLOT);
        for (int k = 0; k < SLOT / Long.BYTES; k++) {
            b.putLong(word(session, slot, tag, k));
        }
    }

    /**
     * Where {@code SLOT} bytes of {@code src} at {@code offset} differ from the pattern of the write
     * {@code tag}: the first differing byte index, or -1 if they match.
     */
    public static int mismatch(byte[] src, int offset, int session, int slot, long tag) {
        ByteBuffer b = ByteBuffer.wrap(src, offset, SLOT);
        for (int k = 0; k < SLOT / Long.BYTES; k++) {
            if (b.getLong() != word(session, slot, tag, k)) {
                return k * Long.BYTES;
            }
        }
        return -1;
    }

    /** Which tag wrote the slot at {@code offset} if it is any of this session's tags, else -1 (diagnostics). */
    public static long tagOf(byte[] src, int offset, int session, int slot) {
        long w0 = ByteBuffer.wrap(src, offset, Long.BYTES).getLong();
        if (w0 == 0) {
            return 0;
        }
        long tag = (w0 ^ base(session, slot)) * INVERSE;
        return word(session, slot, tag, 0) == w0 ? tag : -1;
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** The multiplicative inverse of {@link #GOLDEN} modulo 2^64. */
    private static final long INVERSE = inverse(GOLDEN);

    private static long word(int session, int slot, long tag, int k) {
        return tag == 0 ? 0 : (tag * GOLDEN) ^ base(session, slot) ^ ((long) k << 56 | k);
    }

    private static long base(int session, int slot) {
        return ((long) session << 36) ^ ((long) slot << 8);
    }

    private static long inverse(long a) {
        long x = a; // Newton iteration: each step doubles the correct low bits (a is odd)
        for (int i = 0; i < 6; i++) {
            x *= 2 - a * x;
        }
        return x;
    }
}

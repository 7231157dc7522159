package io.platter.lun.qcow2;

import java.nio.ByteBuffer;

/**
 * Entries of a refcount block (qcow2.txt "Host cluster management"): {@code 1 << order}-bit
 * unsigned counts, big endian; sub-byte widths count bit 0 as the least significant bit.
 * Stateless: works on a cluster image held by the caller.
 */
final class RefcountBlock {

    private RefcountBlock() { }

    /** The largest refcount {@code order} can hold (64-bit counts are capped at Long.MAX_VALUE). */
    static long max(int order) {
        int bits = 1 << order;
        return bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
    }

    /** Entries per block of {@code clusterBits}. */
    static int entries(int clusterBits, int order) {
        return (1 << (clusterBits + 3)) >>> order;
    }

    static long get(ByteBuffer block, int index, int order) {
        int bits = 1 << order;
        switch (bits) {
            case 64: return block.getLong(index * 8);
            case 32: return Integer.toUnsignedLong(block.getInt(index * 4));
            case 16: return Short.toUnsignedInt(block.getShort(index * 2));
            case 8: return Byte.toUnsignedInt(block.get(index));
            default:
                int bit = index * bits;
                return (block.get(bit >>> 3) >>> (bit & 7)) & ((1 << bits) - 1);
        }
    }

    /** Sets entry {@code index}; returns the byte range touched as {@code position << 32 | length}. */
    static long set(ByteBuffer block, int index, int order, long value) {
        int bits = 1 << order;
        switch (bits) {
            case 64: block.putLong(index * 8, value); return span(index * 8, 8);
            case 32: block.putInt(index * 4, (int) value); return span(index * 4, 4);
            case 16: block.putShort(index * 2, (short) value); return span(index * 2, 2);
            case 8: block.put(index, (byte) value); return span(index, 1);
            default:
                int bit = index * bits;
                int mask = ((1 << bits) - 1) << (bit & 7);
                int old = block.get(bit >>> 3);
                block.put(bit >>> 3, (byte) ((old & ~mask) | ((int) (value << (bit & 7)) & mask)));
                return span(bit >>> 3, 1);
        }
    }

    private static long span(int position, int length) {
        return ((long) position << 32) | length;
    }
}

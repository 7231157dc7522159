package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * The 48-byte Basic Header Segment (RFC 7143 §11.2.1), read and written at absolute indexes
 * relative to the first header byte. A view: it neither owns nor releases the buffer.
 */
public final class Bhs {
    public static final int SIZE = 48;
    public static final int IMMEDIATE = 0x40;
    public static final int FINAL = 0x80;
    /** ITT/TTT value meaning "none" (RFC 7143 §11.18.3, §11.19.2). */
    public static final int RESERVED_TAG = 0xffffffff;

    private final ByteBuf buf;
    private final int base;

    public Bhs(ByteBuf buf, int base) {
        this.buf = buf;
        this.base = base;
    }

    /** A view on the header at {@code buf}'s reader index. */
    public static Bhs at(ByteBuf buf) {
        return new Bhs(buf, buf.readerIndex());
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int base() {
        return base;
    }

    public int opcodeCode() {
        return buf.getUnsignedByte(base) & 0x3f;
    }

    public boolean immediate() {
        return (buf.getUnsignedByte(base) & IMMEDIATE) != 0;
    }

    /** Byte 1: the F bit and the opcode-specific flags. */
    public int flags() {
        return buf.getUnsignedByte(base + 1);
    }

    public boolean finalBit() {
        return (flags() & FINAL) != 0;
    }

    public int u8(int index) {
        return buf.getUnsignedByte(base + index);
    }

    public int u16(int index) {
        return buf.getUnsignedShort(base + index);
    }

    public int i32(int index) {
        return buf.getInt(base + index);
    }

    public long i64(int index) {
        return buf.getLong(base + index);
    }

    /** TotalAHSLength in bytes (the field counts 4-byte words). */
    public int totalAhsBytes() {
        return u8(4) * 4;
    }

    public int dataSegmentLength() {
        return buf.getUnsignedMedium(base + 5);
    }

    public long lun() {
        return i64(8);
    }

    public int itt() {
        return i32(16);
    }

    /** The 6-byte ISID of login PDUs as a long. */
    public long isid() {
        return ((long) u16(8) << 32) | (buf.getUnsignedInt(base + 10));
    }

    // --- writing ----------------------------------------------------------------------

    public Bhs opcode(Opcode op, boolean immediate) {
        buf.setByte(base, op.code() | (immediate ? IMMEDIATE : 0));
        return this;
    }

    public Bhs flags(int value) {
        buf.setByte(base + 1, value);
        return this;
    }

    public Bhs u8(int index, int value) {
        buf.setByte(base + index, value);
        return this;
    }

    public Bhs u16(int index, int value) {
        buf.setShort(base + index, value);
        return this;
    }

    public Bhs i32(int index, int value) {
        buf.setInt(base + index, value);
        return this;
    }

    public Bhs i64(int index, long value) {
        buf.setLong(base + index, value);
        return this;
    }

    public Bhs lengths(int totalAhsBytes, int dataSegmentLength) {
        buf.setByte(base + 4, totalAhsBytes / 4);
        buf.setMedium(base + 5, dataSegmentLength);
        return this;
    }

    public Bhs isid(long isid) {
        buf.setShort(base + 8, (int) (isid >>> 32));
        buf.setInt(base + 10, (int) isid);
        return this;
    }
}

package io.platter.lun.qcow2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One snapshot table entry (qcow2.txt "Snapshots"). {@code extraData} is kept verbatim so entries
 * written by newer QEMUs survive a rewrite; the two fields Platter understands are decoded from it.
 */
public record Snapshot(
        long l1TableOffset,
        int l1Size,
        String id,
        String name,
        long dateSeconds,
        long dateNanos,
        long vmClockNanos,
        long vmStateSize,
        byte[] extraData) {

    /** QEMU's limit on snapshots per image. */
    static final int MAX_SNAPSHOTS = 65536;
    private static final int FIXED = 40;

    /** A new snapshot with the version 3 extra data (VM state size 0, virtual disk size). */
    static Snapshot create(long l1TableOffset, int l1Size, String id, String name, long epochNanos, long diskSize) {
        byte[] extra = ByteBuffer.allocate(16).putLong(0).putLong(diskSize).array();
        return new Snapshot(l1TableOffset, l1Size, id, name, epochNanos / 1_000_000_000L,
                epochNanos % 1_000_000_000L, 0, 0, extra);
    }

    /** The virtual disk size recorded with the snapshot, or -1 when the entry predates that field. */
    public long diskSize() {
        return extraData.length >= 16 ? ByteBuffer.wrap(extraData).getLong(8) : -1;
    }

    int encodedLength() {
        int raw = FIXED + extraData.length + utf8(id).length + utf8(name).length;
        return (raw + 7) & ~7;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@code count} entries from {@code table} (the bytes of the snapshot table area). */
    static List<Snapshot> parseTable(ByteBuffer table, int count) throws Qcow2FormatException {
        ByteBuffer b = table.duplicate().order(ByteOrder.BIG_ENDIAN);
        List<Snapshot> out = new ArrayList<>(count);
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (at + FIXED > b.limit()) {
                throw new Qcow2FormatException("snapshot table is truncated at entry " + i);
            }
            long l1Offset = b.getLong(at);
            int l1Size = b.getInt(at + 8);
            int idLength = Short.toUnsignedInt(b.getShort(at + 12));
            int nameLength = Short.toUnsignedInt(b.getShort(at + 14));
            long seconds = Integer.toUnsignedLong(b.getInt(at + 16));
            long nanos = Integer.toUnsignedLong(b.getInt(at + 20));
            long vmClock = b.getLong(at + 24);
            long vmState = Integer.toUnsignedLong(b.getInt(at + 32));
            long extraSize = Integer.toUnsignedLong(b.getInt(at + 36));
            long end = at + FIXED + extraSize + idLength + nameLength;
            if (extraSize > 1024 || end > b.limit()) {
                throw new Qcow2FormatException("snapshot table entry " + i + " runs past the table");
            }
            byte[] extra = new byte[(int) extraSize];
            b.get(at + FIXED, extra);
            byte[] id = new byte[idLength];
            b.get(at + FIXED + extra.length, id);
            byte[] name = new byte[nameLength];
            b.get(at + FIXED + extra.length + idLength, name);
            if (extra.length >= 8) {
                vmState = ByteBuffer.wrap(extra).getLong(0);
            }
            if (l1Size < 0 || (l1Offset & 511) != 0) {
                throw new Qcow2FormatException("snapshot " + i + " has a bad L1 table (" + l1Offset + ", " + l1Size + ")");
            }
            out.add(new Snapshot(l1Offset, l1Size, new String(id, StandardCharsets.UTF_8),
                    new String(name, StandardCharsets.UTF_8), seconds, nanos, vmClock, vmState, extra));
            at = (int) ((end + 7) & ~7L);
        }
        return out;
    }

    static ByteBuffer encodeTable(List<Snapshot> snapshots) {
        int total = 0;
        for (Snapshot s : snapshots) {
            total += s.encodedLength();
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.BIG_ENDIAN);
        for (Snapshot s : snapshots) {
            int start = b.position();
            byte[] id = utf8(s.id);
            byte[] name = utf8(s.name);
            b.putLong(s.l1TableOffset).putInt(s.l1Size).putShort((short) id.length).putShort((short) name.length)
                    .putInt((int) s.dateSeconds).putInt((int) s.dateNanos).putLong(s.vmClockNanos)
                    .putInt((int) Math.min(s.vmStateSize, 0xffff_ffffL)).putInt(s.extraData.length)
                    .put(s.extraData).put(id).put(name);
            b.position(start + s.encodedLength());
        }
        return b.flip();
    }

    /** Total bytes of the encoded table. */
    static long tableLength(List<Snapshot> snapshots) {
        long total = 0;
        for (Snapshot s : snapshots) {
            total += s.encodedLength();
        }
        return total;
    }
}

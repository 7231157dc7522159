package io.platter.lun.qcow2;

import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Resize of a qcow2 image (qcow2.txt header fields {@code size}, {@code l1_size},
 * {@code l1_table_offset}). Crash ordering: a longer L1 table is written and made durable before
 * the header points to it; the old table is freed only after the header is durable, so a crash
 * leaks at worst the clusters of one of the two tables. A forced shrink discards the tail (itself
 * crash-safe) before the header shrinks. The caller holds the {@link ClusterMap} write lock.
 */
final class ImageResize {

    private static final int SECTOR = 512;

    private final Qcow2Image img;
    private final ClusterMap map;
    private final ImageFile file;
    private final Refcounts refcounts;

    ImageResize(Qcow2Image img) {
        this.img = img;
        this.map = img.clusterMap();
        this.file = map.file();
        this.refcounts = map.refcounts();
    }

    void resize(long newSize, boolean force) throws BlockDeviceException {
        long oldSize = img.size();
        if (newSize < 0 || newSize % SECTOR != 0) {
            throw new BlockDeviceException("new size " + newSize + " is not a non-negative multiple of " + SECTOR);
        }
        if (newSize == oldSize) {
            return;
        }
        map.commitMetadata(); // the L1 table may be copied or rewritten: no dirty entry may point at an unwritten L2 table
        if (newSize > oldSize) {
            grow(oldSize, newSize);
        } else {
            shrink(oldSize, newSize, force);
        }
    }

    private void grow(long oldSize, long newSize) throws BlockDeviceException {
        long entries = Header.l1EntriesFor(newSize, map.clusterBits());
        if (entries * 8 > ClusterMap.MAX_L1_BYTES) {
            throw new BlockDeviceException("cannot grow to " + newSize + " bytes: the L1 table would exceed 32 MiB");
        }
        long[] oldL1 = map.l1();
        long oldL1Offset = map.l1Offset();
        if (entries <= oldL1.length) {
            writeGeometry(newSize, oldL1.length, oldL1Offset);
            map.resized(newSize, oldL1, oldL1Offset);
        } else {
            long[] newL1 = Arrays.copyOf(oldL1, (int) entries);
            long newOffset = refcounts.allocate(clusters(entries * 8));
            ByteBuffer table = ByteBuffer.allocate(clusters(entries * 8) << map.clusterBits()).order(ByteOrder.BIG_ENDIAN);
            table.asLongBuffer().put(newL1);
            file.write(newOffset, table);
            file.force();
            writeGeometry(newSize, newL1.length, newOffset);
            map.resized(newSize, newL1, newOffset);
            if (oldL1.length > 0) {
                refcounts.updateRange(oldL1Offset, oldL1.length * 8L, -1);
            }
        }
        zeroExposedTail(oldSize, newSize);
    }

    /**
     * Bytes past the old end must read as zeros: the rest of a partial last cluster, and whatever
     * a backing file longer than the old size would show.
     */
    private void zeroExposedTail(long oldSize, long newSize) throws BlockDeviceException {
        BlockDevice backing = img.backing();
        long end = Refcounts.roundUp(oldSize, map.clusterSize());
        if (backing != null) {
            end = Math.max(end, backing.size());
        }
        end = Math.min(end, newSize);
        if (end > oldSize) {
            img.discard(oldSize, end - oldSize);
            map.commitMetadata();
        }
    }

    private void shrink(long oldSize, long newSize, boolean force) throws BlockDeviceException {
        if (!map.snapshots().isEmpty()) {
            throw new BlockDeviceException("cannot shrink " + file.path() + ": it has internal snapshots");
        }
        if (!force) {
            for (long pos = newSize; pos < oldSize; ) {
                BlockDevice.Extent e = img.extentAt(pos);
                if (e.mapped()) {
                    throw new BlockDeviceException("cannot shrink " + file.path() + " to " + newSize
                            + " bytes: data is mapped at " + pos + "; force discards it");
                }
                pos += e.length();
            }
        }
        img.discard(newSize, oldSize - newSize);
        map.commitMetadata();
        writeGeometry(newSize, map.l1().length, map.l1Offset());
        map.resized(newSize, map.l1(), map.l1Offset());
    }

    /** Writes size, crypt_method, l1_size and l1_table_offset in one write within the first sector, durably. */
    private void writeGeometry(long size, int l1Size, long l1Offset) throws BlockDeviceException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        b.putLong(size).putInt(map.header().cryptMethod()).putInt(l1Size).putLong(l1Offset).flip();
        file.write(Header.OFFSET_SIZE, b);
        file.force();
    }

    private int clusters(long bytes) {
        return (int) (Refcounts.roundUp(bytes, map.clusterSize()) >>> map.clusterBits());
    }
}

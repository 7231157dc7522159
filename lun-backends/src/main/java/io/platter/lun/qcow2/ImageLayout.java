package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The layout of a new, empty version 3 image (qcow2.txt "Header"): header cluster, refcount
 * table, refcount blocks covering all of these, then a zeroed L1 table; refcount order 4.
 */
final class ImageLayout {

    private static final int REFCOUNT_ORDER = 4;

    private ImageLayout() { }

    static void write(Path path, long size, int clusterBits, String backingFile, String backingFormat) throws IOException {
        if (clusterBits < Header.MIN_CLUSTER_BITS || clusterBits > Header.MAX_CLUSTER_BITS) {
            throw new IllegalArgumentException("cluster bits must be 9..21: " + clusterBits);
        }
        if (size < 0 || size % 512 != 0) {
            throw new IllegalArgumentException("image size must be a non-negative multiple of 512: " + size);
        }
        int cs = 1 << clusterBits;
        long l1Entries = Header.l1EntriesFor(size, clusterBits);
        if (l1Entries * 8 > ClusterMap.MAX_L1_BYTES) {
            throw new IllegalArgumentException("image of " + size + " bytes needs an L1 table over 32 MiB; use larger clusters");
        }
        long l1Clusters = Math.max(1, (l1Entries * 8 + cs - 1) / cs);
        long perBlock = RefcountBlock.entries(clusterBits, REFCOUNT_ORDER);
        long blocks = 1;
        long tableClusters = 1;
        while (true) {
            long total = 1 + tableClusters + blocks + l1Clusters;
            long needBlocks = (total + perBlock - 1) / perBlock;
            long needTable = (needBlocks * 8 + cs - 1) / cs;
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        long tableOffset = (long) cs;
        long blocksOffset = tableOffset + tableClusters * cs;
        long l1Offset = blocksOffset + blocks * cs;
        long total = 1 + tableClusters + blocks + l1Clusters;

        ByteBuffer first = ByteBuffer.allocate(cs).order(ByteOrder.BIG_ENDIAN);
        List<HeaderExtension> extensions = backingFormat == null ? List.of() : List.of(HeaderExtension.backingFormat(backingFormat));
        ByteBuffer ext = HeaderExtension.encodeAll(extensions);
        byte[] name = backingFile == null ? new byte[0] : backingFile.getBytes(StandardCharsets.UTF_8);
        long nameOffset = backingFile == null ? 0 : Header.V3_LENGTH + ext.remaining();
        if (nameOffset + name.length > cs || name.length > Header.MAX_BACKING_NAME) {
            throw new IllegalArgumentException("backing file name too long: " + backingFile);
        }
        Header h = new Header(3, nameOffset, name.length, clusterBits, size, 0, (int) l1Entries, l1Offset,
                tableOffset, (int) tableClusters, 0, 0, 0, 0, 0, REFCOUNT_ORDER, Header.V3_LENGTH);
        first.put(h.encode()).put(ext).put(name);

        ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * cs)).order(ByteOrder.BIG_ENDIAN);
        for (long i = 0; i < blocks; i++) {
            table.putLong(blocksOffset + i * cs);
        }
        ByteBuffer refcounts = ByteBuffer.allocate((int) (blocks * cs)).order(ByteOrder.BIG_ENDIAN);
        for (long c = 0; c < total; c++) {
            RefcountBlock.set(refcounts, (int) c, REFCOUNT_ORDER, 1);
        }
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(total * cs);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            writeFully(ch, first.clear(), 0);
            writeFully(ch, table.clear(), tableOffset);
            writeFully(ch, refcounts.clear(), blocksOffset);
            ch.force(true);
        }
        try (FileChannel dir = FileChannel.open(path.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            throw new BlockDeviceException("sync directory of " + path, e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }
}

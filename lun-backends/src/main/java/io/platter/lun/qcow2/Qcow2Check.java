package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;
import io.platter.lun.ImageLock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A consistency check like {@code qemu-img check}: rebuilds every cluster's reference count from
 * the header, L1/L2 tables, refcount structures, snapshot table and snapshot L1 tables, and
 * compares it with the stored refcounts. A stored count above the references is a leak (harmless
 * lost space); below, or a reference out of bounds, or a wrong COPIED bit, is a corruption.
 * Reads only; the image must not be written meanwhile.
 */
public final class Qcow2Check {

    /** The outcome: counts as qemu-img reports them, and one message per problem (capped). */
    public record Report(long corruptions, long leaks, long referencedClusters, List<String> problems) {
        public boolean clean() {
            return corruptions == 0 && leaks == 0;
        }
    }

    private static final int MAX_MESSAGES = 100;
    private static final long MAX_CLUSTERS = 1L << 28;

    private final ImageFile file;
    private final Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final long fileClusters;
    private final int[] references;
    private final List<String> problems = new ArrayList<>();
    private long corruptions;
    private long leaks;
    /** Leaked clusters found by {@link #run}, for {@link #fixLeaks}. */
    private final List<Long> leaked = new ArrayList<>();
    private long[] refcountTable;

    private Qcow2Check(ImageFile file, Header header, long fileLength) throws Qcow2FormatException {
        this.file = file;
        this.header = header;
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.fileClusters = Refcounts.roundUp(fileLength, clusterSize) >>> clusterBits;
        if (fileClusters > MAX_CLUSTERS) {
            throw new Qcow2FormatException("image too large to check in memory");
        }
        this.references = new int[(int) fileClusters];
    }

    /**
     * Checks the image at {@code path}; a header too broken to interpret throws
     * {@link Qcow2FormatException}. Like {@code qemu-img check}, it refuses an image another process
     * is writing ({@link io.platter.lun.ImageLock.InUse}).
     */
    public static Report check(Path path) throws BlockDeviceException {
        return check(path, false);
    }

    /**
     * As {@link #check(Path)}; with {@code forceShare} (qemu-img's {@code -U}) it takes no image
     * lock and so also reads an image in use, whose report may then show leaks or corruptions
     * that are only writes in flight.
     */
    public static Report check(Path path, boolean forceShare) throws BlockDeviceException {
        try (ImageFile file = ImageFile.open(path, true, forceShare ? ImageLock.Mode.NONE : ImageLock.Mode.SHARED_READER)) {
            return of(file).run();
        }
    }

    /**
     * Like {@code qemu-img check -r leaks}: checks, lowers every leaked cluster's stored refcount
     * to its number of references, makes that durable, and checks again. Corruptions are left
     * alone (and reported by the second check). The image must not be open elsewhere.
     *
     * @return the report before the repair and the one after it
     */
    public static Repair repairLeaks(Path path) throws BlockDeviceException {
        try (ImageFile file = ImageFile.open(path, false)) {
            Qcow2Check before = of(file);
            Report found = before.run();
            long repaired = before.fixLeaks();
            if (repaired > 0) {
                file.force();
            }
            return new Repair(found, repaired, of(file).run());
        }
    }

    /** The outcome of {@link #repairLeaks}: what was found, how many leaks were fixed, what remains. */
    public record Repair(Report found, long leaksFixed, Report after) { }

    private static Qcow2Check of(ImageFile file) throws BlockDeviceException {
        long length = file.length();
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(length, 1 << 16));
        file.read(0, first);
        Header h = Header.parse(first.flip());
        return new Qcow2Check(file, h, length);
    }

    /** Writes the counted references over the stored refcounts of the leaked clusters found by {@link #run}. */
    private long fixLeaks() throws BlockDeviceException {
        long fixed = 0;
        int perBlockBits = clusterBits + 3 - header.refcountOrder();
        for (long c : leaked) {
            long block = refcountTable[(int) (c >>> perBlockBits)];
            ByteBuffer b = block(block);
            long span = RefcountBlock.set(b, (int) (c & ((1L << perBlockBits) - 1)), header.refcountOrder(), references[(int) c]);
            int position = (int) (span >>> 32);
            int length = (int) span;
            file.write(block + position, b.duplicate().position(position).limit(position + length).slice());
            fixed++;
        }
        return fixed;
    }

    private Report run() throws BlockDeviceException {
        reference(0, clusterSize, "header");
        reference(header.l1TableOffset(), header.l1Size() * 8L, "L1 table");
        walkL1(header.l1TableOffset(), header.l1Size(), true, "active");
        long tableBytes = (long) header.refcountTableClusters() * clusterSize;
        reference(header.refcountTableOffset(), tableBytes, "refcount table");
        long[] table = readLongs(header.refcountTableOffset(), (int) Math.min(tableBytes / 8, Refcounts.MAX_TABLE_BYTES / 8));
        refcountTable = table;
        for (long block : table) {
            if (block != 0) {
                if (aligned(block, "refcount block")) {
                    reference(block, clusterSize, "refcount block");
                }
            }
        }
        if (header.nbSnapshots() > 0) {
            ByteBuffer raw = ByteBuffer.allocate((int) Math.min((fileClusters << clusterBits) - header.snapshotsOffset(), 16L << 20));
            file.read(header.snapshotsOffset(), raw);
            List<Snapshot> snapshots = Snapshot.parseTable(raw.flip(), header.nbSnapshots());
            reference(header.snapshotsOffset(), Snapshot.tableLength(snapshots), "snapshot table");
            for (Snapshot s : snapshots) {
                reference(s.l1TableOffset(), s.l1Size() * 8L, "snapshot L1 table");
                walkL1(s.l1TableOffset(), s.l1Size(), false, "snapshot " + s.id());
            }
        }
        long referenced = 0;
        int perBlockBits = clusterBits + 3 - header.refcountOrder();
        for (long c = 0; c < fileClusters; c++) {
            long t = c >>> perBlockBits;
            long stored = 0;
            if (t < table.length && table[(int) t] != 0 && table[(int) t] + clusterSize <= fileClusters << clusterBits) {
                stored = RefcountBlock.get(block(table[(int) t]), (int) (c & ((1L << perBlockBits) - 1)), header.refcountOrder());
            }
            int expected = references[(int) c];
            if (expected > 0) {
                referenced++;
            }
            if (stored < expected) {
                corruption("ERROR cluster " + c + " refcount=" + stored + " reference=" + expected);
            } else if (stored > expected) {
                leaks++;
                leaked.add(c);
                message("Leaked cluster " + c + " refcount=" + stored + " reference=" + expected);
            }
        }
        return new Report(corruptions, leaks, referenced, List.copyOf(problems));
    }

    private ByteBuffer cachedBlock;
    private long cachedBlockOffset = -1;

    private ByteBuffer block(long offset) throws BlockDeviceException {
        if (offset != cachedBlockOffset) {
            cachedBlock = ByteBuffer.allocate(clusterSize).order(ByteOrder.BIG_ENDIAN);
            file.read(offset, cachedBlock);
            cachedBlockOffset = offset;
        }
        return cachedBlock;
    }

    private void walkL1(long offset, int entries, boolean active, String which) throws BlockDeviceException {
        if (entries <= 0 || offset + entries * 8L > fileClusters << clusterBits) {
            return; // already reported by reference()
        }
        long[] l1 = readLongs(offset, entries);
        for (int i = 0; i < l1.length; i++) {
            L1Entry e = new L1Entry(l1[i]);
            if (!e.allocated() || !aligned(e.l2Offset(), which + " L2 table") || !reference(e.l2Offset(), clusterSize, which + " L2 table")) {
                continue;
            }
            long[] l2 = readLongs(e.l2Offset(), clusterSize / 8);
            for (int j = 0; j < l2.length; j++) {
                L2Entry d = new L2Entry(l2[j]);
                switch (d.kind()) {
                    case NORMAL, ZERO_ALLOCATED -> {
                        if (aligned(d.hostOffset(), which + " data cluster")) {
                            reference(d.hostOffset(), clusterSize, which + " data cluster");
                        }
                    }
                    case COMPRESSED -> {
                        if (d.copied()) {
                            corruption("ERROR " + which + ": compressed cluster with COPIED set (L2 entry " + j + ")");
                        }
                        reference(d.compressedSectorStart(clusterBits), d.compressedSectorBytes(clusterBits),
                                which + " compressed cluster");
                    }
                    default -> { }
                }
            }
        }
        if (active) {
            checkCopied(l1);
        }
    }

    /** COPIED must be set exactly where the stored refcount is one (active tables only). */
    private void checkCopied(long[] l1) throws BlockDeviceException {
        long[] table = readLongs(header.refcountTableOffset(), (int) ((long) header.refcountTableClusters() * clusterSize / 8));
        int perBlockBits = clusterBits + 3 - header.refcountOrder();
        for (long raw : l1) {
            L1Entry e = new L1Entry(raw);
            if (!e.allocated() || e.l2Offset() + clusterSize > fileClusters << clusterBits) {
                continue;
            }
            if (e.copied() != (stored(table, e.l2Offset(), perBlockBits) == 1)) {
                corruption("ERROR OFLAG_COPIED L2 cluster at " + e.l2Offset());
            }
            for (long l2raw : readLongs(e.l2Offset(), clusterSize / 8)) {
                L2Entry d = new L2Entry(l2raw);
                if (d.kind() == L2Entry.Kind.NORMAL && d.hostOffset() + clusterSize <= fileClusters << clusterBits
                        && d.copied() != (stored(table, d.hostOffset(), perBlockBits) == 1)) {
                    corruption("ERROR OFLAG_COPIED data cluster at " + d.hostOffset());
                }
            }
        }
    }

    private long stored(long[] table, long offset, int perBlockBits) throws BlockDeviceException {
        long c = offset >>> clusterBits;
        long t = c >>> perBlockBits;
        if (t >= table.length || table[(int) t] == 0) {
            return 0;
        }
        return RefcountBlock.get(block(table[(int) t]), (int) (c & ((1L << perBlockBits) - 1)), header.refcountOrder());
    }

    private boolean aligned(long offset, String what) {
        if ((offset & (clusterSize - 1)) != 0) {
            corruption("ERROR " + what + " at " + offset + " is not cluster aligned");
            return false;
        }
        return true;
    }

    /** Counts a reference to every cluster of {@code [offset, offset+length)}; false if any lies past the end of the file. */
    private boolean reference(long offset, long length, String what) {
        if (length <= 0) {
            return true;
        }
        long first = offset >>> clusterBits;
        long last = (offset + length - 1) >>> clusterBits;
        if (offset < 0 || last >= fileClusters) {
            corruption("ERROR " + what + " at " + offset + " (+" + length + ") is past the end of the file");
            return false;
        }
        for (long c = first; c <= last; c++) {
            references[(int) c]++;
        }
        return true;
    }

    private long[] readLongs(long offset, int count) throws BlockDeviceException {
        ByteBuffer raw = ByteBuffer.allocate(count * 8).order(ByteOrder.BIG_ENDIAN);
        file.read(offset, raw);
        long[] out = new long[count];
        raw.flip().asLongBuffer().get(out);
        return out;
    }

    private void corruption(String message) {
        corruptions++;
        message(message);
    }

    private void message(String message) {
        if (problems.size() < MAX_MESSAGES) {
            problems.add(message);
        }
    }
}

package io.platter.lun.qcow2;

import java.util.ArrayList;
import java.util.List;

/** Header feature bits (qcow2.txt "Header", bytes 72-95), each with the bitmap it lives in. */
enum Feature {
    DIRTY(Kind.INCOMPATIBLE, 0, "dirty bit"),
    CORRUPT(Kind.INCOMPATIBLE, 1, "corrupt bit"),
    EXTERNAL_DATA_FILE(Kind.INCOMPATIBLE, 2, "external data file"),
    COMPRESSION_TYPE(Kind.INCOMPATIBLE, 3, "compression type"),
    EXTENDED_L2(Kind.INCOMPATIBLE, 4, "extended L2 entries"),
    LAZY_REFCOUNTS(Kind.COMPATIBLE, 0, "lazy refcounts"),
    BITMAPS(Kind.AUTOCLEAR, 0, "bitmaps"),
    RAW_EXTERNAL_DATA(Kind.AUTOCLEAR, 1, "raw external data");

    /** Which of the three feature bitmaps a bit belongs to. */
    enum Kind { INCOMPATIBLE, COMPATIBLE, AUTOCLEAR }

    /** Incompatible features this implementation understands (it refuses every other one). */
    static final long SUPPORTED_INCOMPATIBLE = DIRTY.mask() | CORRUPT.mask();

    final Kind kind;
    final int bit;
    final String title;

    Feature(Kind kind, int bit, String title) {
        this.kind = kind;
        this.bit = bit;
        this.title = title;
    }

    long mask() {
        return 1L << bit;
    }

    boolean in(long bits) {
        return (bits & mask()) != 0;
    }

    /** Names of the bits set in {@code bits} of {@code kind}; unknown bits as "bit N". */
    static List<String> describe(Kind kind, long bits) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((bits & (1L << bit)) == 0) {
                continue;
            }
            String name = "bit " + bit;
            for (Feature f : values()) {
                if (f.kind == kind && f.bit == bit) {
                    name = f.title;
                }
            }
            out.add(name);
        }
        return out;
    }
}

package io.platter.config;

import java.util.Optional;

/** On-disk format of a LUN's image file, with the word used for it in the config file. */
public enum ImageFormat {
    /** A plain file holding the blocks at their offsets. */
    RAW("raw"),
    /** The QEMU qcow2 v3 format: thin, with internal snapshots and backing files. */
    QCOW2("qcow2");

    private static final WordTable<ImageFormat> WORDS = WordTable.of(values(), ImageFormat::word);

    private final String word;

    ImageFormat(String word) {
        this.word = word;
    }

    /** The word in the config file, e.g. {@code raw}. */
    public String word() {
        return word;
    }

    /** The format named {@code word} (case-insensitive), if any. */
    public static Optional<ImageFormat> fromWord(String word) {
        return WORDS.find(word);
    }

    static String choices() {
        return WORDS.choices();
    }
}

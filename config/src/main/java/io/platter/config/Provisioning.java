package io.platter.config;

import java.util.Optional;

/** How an image's space is allocated, with the word used for it in the config file. */
public enum Provisioning {
    /** Sparse: blocks get space when first written; UNMAP gives it back. */
    THIN("thin"),
    /** Preallocated: the whole size is reserved when the image is created. */
    THICK("thick");

    private static final WordTable<Provisioning> WORDS = WordTable.of(values(), Provisioning::word);

    private final String word;

    Provisioning(String word) {
        this.word = word;
    }

    /** The word in the config file, e.g. {@code thin}. */
    public String word() {
        return word;
    }

    /** The provisioning named {@code word} (case-insensitive), if any. */
    public static Optional<Provisioning> fromWord(String word) {
        return WORDS.find(word);
    }

    static String choices() {
        return WORDS.choices();
    }
}

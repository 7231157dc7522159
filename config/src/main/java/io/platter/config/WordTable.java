package io.platter.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Lookup of enum constants by their config word; checks itself for duplicate words when built. */
final class WordTable<E extends Enum<E>> {

    private final Map<String, E> byWord;

    private WordTable(Map<String, E> byWord) {
        this.byWord = byWord;
    }

    static <E extends Enum<E>> WordTable<E> of(E[] values, Function<E, String> word) {
        Map<String, E> map = new LinkedHashMap<>();
        for (E e : values) {
            E previous = map.put(word.apply(e), e);
            if (previous != null) {
                throw new IllegalStateException(
                        "duplicate config word \"" + word.apply(e) + "\": " + previous + " and " + e);
            }
        }
        return new WordTable<>(Collections.unmodifiableMap(map));
    }

    /** The constant for {@code word} (case-insensitive), if any. */
    Optional<E> find(String word) {
        return Optional.ofNullable(byWord.get(word.trim().toLowerCase(Locale.ROOT)));
    }

    /** The words, in declaration order, joined for messages: {@code "raw or qcow2"}. */
    String choices() {
        String joined = String.join(", ", byWord.keySet());
        int last = joined.lastIndexOf(", ");
        return last < 0 ? joined : joined.substring(0, last) + " or " + joined.substring(last + 2);
    }
}

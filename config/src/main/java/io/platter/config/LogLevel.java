package io.platter.config;

import java.util.Locale;
import java.util.Optional;

/** The levels {@code server.log-level} accepts, least to most severe. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /** The level named {@code word} in any case, or empty. */
    public static Optional<LogLevel> parse(String word) {
        for (LogLevel l : values()) {
            if (l.name().equals(word.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}

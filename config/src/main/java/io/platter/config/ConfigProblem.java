package io.platter.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file.
 *
 * @param where   the place in the file: a key path such as {@code targets[0].luns[1].size},
 *                {@code line 3, column 8} for a YAML syntax error, or empty for the file as a whole
 * @param message what is wrong and, where it helps, how to fix it; values of secret keys are never quoted
 */
public record ConfigProblem(String where, String message) {

    public ConfigProblem {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(message, "message");
    }

    /** {@code where: message}, or just the message when it concerns the whole file. */
    @Override
    public String toString() {
        return where.isEmpty() ? message : where + ": " + message;
    }
}

package io.platter.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects problems in the order they are found; loading goes on after each one. Warnings are
 * things that work but should be fixed (a short CHAP secret); they never fail a load.
 */
final class Problems {

    private final List<ConfigProblem> list = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    void warn(String where, String message) {
        warnings.add(new ConfigProblem(where, message));
    }

    List<ConfigProblem> warnings() {
        return List.copyOf(warnings);
    }

    void add(String where, String message) {
        list.add(new ConfigProblem(where, message));
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<ConfigProblem> list() {
        return List.copyOf(list);
    }
}

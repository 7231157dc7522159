package io.platter.config;

import java.util.ArrayList;
import java.util.List;

/** Collects problems in the order they are found; loading goes on after each one. */
final class Problems {

    private final List<ConfigProblem> list = new ArrayList<>();

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

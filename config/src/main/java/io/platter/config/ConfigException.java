package io.platter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A configuration file that cannot be used, with every problem found in it. */
public final class ConfigException extends Exception {

    private final transient Path file;
    private final List<ConfigProblem> problems;

    public ConfigException(Path file, List<ConfigProblem> problems) {
        super(render(file, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /** The file that was read. */
    public Path file() {
        return file;
    }

    /** Every problem, in file order. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(Path file, List<ConfigProblem> problems) {
        Path name = file.getFileName();
        String prefix = (name == null ? file.toString() : name.toString()) + ": ";
        return problems.stream().map(p -> prefix + p).collect(Collectors.joining("\n"));
    }
}

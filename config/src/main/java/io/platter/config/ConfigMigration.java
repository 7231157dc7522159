package io.platter.config;

import java.io.StringReader;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Brings the text of a {@code platter.yaml} written for an older file format up to
 * {@link PlatterConfig#CURRENT_VERSION}, in memory, before it is bound. The operator's file is never
 * rewritten (issue 15: the daemon never writes it, so a dpkg conffile stays untouched and its
 * comments stay); {@link Migrated#advice()} says what to change in the file instead. A file without a
 * {@code version} key is version 0. A file of the current or a newer version, or one that is not a
 * YAML mapping, is passed on unchanged for {@link ConfigLoader} to judge.
 */
public final class ConfigMigration {

    /** A top-level {@code version:} line naming the current version. */
    private static final java.util.regex.Pattern CURRENT_LINE = java.util.regex.Pattern.compile(
            "(?m)^version:[ \\t]*" + PlatterConfig.CURRENT_VERSION + "[ \\t]*(#.*)?$");

    /** One format change: what turns a file of version {@link #from} into one of {@code from + 1}. */
    enum Step {
        /**
         * Version 0 (no {@code version} key, Platter before the key existed) to 1: only the key is new,
         * and the binder reads a text without it as the current version, so the text stays as it is
         * (inserting the key would shift the line numbers problems are reported at).
         */
        V0_TO_V1(0, UnaryOperator.identity(), "add the line \"version: 1\" at the top");

        private final int from;
        private final UnaryOperator<String> rewrite;
        private final String advice;

        Step(int from, UnaryOperator<String> rewrite, String advice) {
            this.from = from;
            this.rewrite = rewrite;
            this.advice = advice;
        }

        static {
            for (Step s : values()) {
                if (s.from != s.ordinal()) {
                    throw new ExceptionInInitializerError("migration steps must run 0, 1, 2, ...: " + s);
                }
            }
            if (values().length != PlatterConfig.CURRENT_VERSION) {
                throw new ExceptionInInitializerError("a migration step is missing for version "
                        + values().length);
            }
        }
    }

    /**
     * What {@link #migrate} made of a text.
     *
     * @param from the version the text had (0 when it had no {@code version} key, -1 when unknown)
     * @param to   the version the returned text has
     * @param text the text to bind
     */
    public record Migrated(int from, int to, String text) {
        /** Whether the text was changed in memory. */
        public boolean migrated() {
            return from >= 0 && from != to;
        }

        /** What the operator should change in the file so it needs no migration, or empty. */
        public Optional<String> advice() {
            if (!migrated()) {
                return Optional.empty();
            }
            List<String> steps = Arrays.asList(Step.values()).subList(from, to).stream().map(s -> s.advice).toList();
            return Optional.of("written for format version " + from + ", read as version " + to
                    + " in memory (the file is not changed); to silence this, " + String.join(", then ", steps));
        }
    }

    private ConfigMigration() {
    }

    /** The text brought to the current version in memory; unchanged when it needs nothing or is no mapping. */
    public static Migrated migrate(String text) {
        if (CURRENT_LINE.matcher(text).find()) {
            // The common case, decided without parsing a large file a second time; a version key
            // that is not top level ends up here only if it is also written at column 0.
            return new Migrated(PlatterConfig.CURRENT_VERSION, PlatterConfig.CURRENT_VERSION, text);
        }
        Optional<Integer> found = version(text);
        if (found.isEmpty()) {
            return new Migrated(-1, -1, text);
        }
        int from = found.get();
        if (from < 0 || from >= PlatterConfig.CURRENT_VERSION) {
            return new Migrated(from, from, text);
        }
        return new Migrated(from, PlatterConfig.CURRENT_VERSION, migrateText(text, from));
    }

    /** Applies every step from {@code from} up to the current version. */
    static String migrateText(String text, int from) {
        String out = text;
        for (Step step : Arrays.asList(Step.values()).subList(from, Step.values().length)) {
            out = step.rewrite.apply(out);
        }
        return out;
    }

    /**
     * The file's format version: 0 without a {@code version} key, empty when the text is not a
     * YAML mapping or the version is not a whole number (the loader reports those).
     */
    static Optional<Integer> version(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (root == null) {
            return Optional.of(0);
        }
        if (!(root instanceof MappingNode map)) {
            return Optional.empty();
        }
        List<NodeTuple> keys = map.getValue();
        for (NodeTuple tuple : keys) {
            if (tuple.getKeyNode() instanceof ScalarNode key && ConfigKey.VERSION.word().equals(key.getValue())) {
                if (tuple.getValueNode() instanceof ScalarNode value) {
                    try {
                        return Optional.of(Integer.parseInt(value.getValue().trim()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                }
                return Optional.empty();
            }
        }
        return Optional.of(0);
    }
}

package io.platter.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Brings a {@code platter.yaml} written for an older file format up to
 * {@link PlatterConfig#CURRENT_VERSION}, in place, before it is loaded. A file without a
 * {@code version} key is version 0. Each {@link Step} rewrites the text (so the operator's
 * comments and layout survive); the original is first saved beside the file as
 * {@code <name>.bak-v<old version>}. Both the backup and the rewritten file are written with
 * {@link PrivateFiles#write} (owner and group of the original; its mode, narrowed to
 * {@link PrivateFiles#secretMode} when the file holds a CHAP secret), so a crash leaves either the
 * old file or the new one, never half of either. A file of the current or a newer version,
 * or one that is not a YAML mapping, is left alone for {@link ConfigLoader} to judge.
 */
public final class ConfigMigration {

    /** A top-level {@code version:} line (only comments and blank lines above the first key matter). */
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^version:[^\\n]*$");

    /** One format change: what turns a file of version {@link #from} into one of {@code from + 1}. */
    enum Step {
        /** Version 0 (no {@code version} key, Platter before the key existed) to 1: the key is added. */
        V0_TO_V1(0, text -> withVersion(text, 1));

        private final int from;
        private final UnaryOperator<String> rewrite;

        Step(int from, UnaryOperator<String> rewrite) {
            this.from = from;
            this.rewrite = rewrite;
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
     * What {@link #migrate} did.
     *
     * @param from   the version the file had (0 when it had no {@code version} key)
     * @param to     the version it has now
     * @param backup where the original was saved, empty when nothing changed
     */
    public record Result(int from, int to, Optional<Path> backup) {
        /** Whether the file was rewritten. */
        public boolean migrated() {
            return backup.isPresent();
        }
    }

    private ConfigMigration() {
    }

    /**
     * Migrates {@code file} in place if its version is older than the current one.
     *
     * @throws IOException if the file cannot be read, or the backup or the new file cannot be
     *                     written (the original is then untouched)
     */
    public static Result migrate(Path file) throws IOException {
        String text = ConfigLoader.readText(file.toAbsolutePath().normalize());
        Optional<Integer> found = version(text);
        if (found.isEmpty()) {
            return new Result(-1, -1, Optional.empty());
        }
        int from = found.get();
        if (from < 0 || from >= PlatterConfig.CURRENT_VERSION) {
            return new Result(from, from, Optional.empty());
        }
        String migrated = migrateText(text, from);
        Path backup = file.resolveSibling(file.getFileName() + ".bak-v" + from);
        // The backup holds what the file holds: a file with a secret and its copy get the secret
        // mode (issue 21, finding 7), whatever mode the operator's file had.
        PrivateFiles.Ownership like = PrivateFiles.Ownership.of(file);
        if (ConfigWriter.secrets(text).map(held -> !held.isEmpty()).orElse(true)) {
            like = like.forSecrets();
        }
        PrivateFiles.write(backup, text.getBytes(StandardCharsets.UTF_8), like);
        PrivateFiles.write(file, migrated.getBytes(StandardCharsets.UTF_8), like);
        return new Result(from, PlatterConfig.CURRENT_VERSION, Optional.of(backup));
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

    /** Sets the top-level {@code version:} line, adding it above the first key if there is none. */
    static String withVersion(String text, int version) {
        String line = "version: " + version;
        Matcher m = VERSION_LINE.matcher(text);
        if (m.find()) {
            return m.replaceFirst(line);
        }
        // Keep a leading comment block (the file's header) above the new key.
        String[] lines = text.split("\n", -1);
        int at = 0;
        while (at < lines.length && (lines[at].isBlank() || lines[at].startsWith("#"))
                && !lines[at].startsWith("---")) {
            at++;
        }
        if (at == lines.length) {
            return text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + line + "\n";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i == at) {
                out.append(line).append('\n');
            }
            out.append(lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}

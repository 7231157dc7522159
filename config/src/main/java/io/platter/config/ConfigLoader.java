package io.platter.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code platter.yaml} through Commons Configuration's {@link YAMLConfiguration} and binds it
 * to a {@link PlatterConfig}. Every problem in the file is reported at once in a {@link ConfigException}.
 *
 * <p>Paths: a relative {@code data-dir} resolves against the config file's directory, a relative
 * LUN {@code image} against the data directory. Loading looks at the file system only to tell
 * whether a LUN image exists (a missing image needs a {@code size}) and is not a directory.
 */
public final class ConfigLoader {

    /** An unquoted {@code - [::1]:3260} is a YAML flow list; spot it to say what to do instead. */
    private static final Pattern UNQUOTED_IPV6 = Pattern.compile("\\s*-?\\s*\\[[0-9a-fA-F:.%]*:[0-9a-fA-F:.%]*\\].*");

    /**
     * The largest config file the loader reads, 1 MiB: a thousand targets with CHAP and ACLs take
     * a few hundred KiB; a larger file is refused before it is read (a hostile or mistaken path
     * must not make the daemon hang or run out of memory).
     */
    public static final long MAX_FILE_BYTES = 1024 * 1024;

    private ConfigLoader() {
    }

    /**
     * Loads and checks a config file.
     *
     * @throws ConfigException listing every problem found, or the single reason the file could not be read
     */
    public static PlatterConfig load(Path file) throws ConfigException {
        return load(file, warning -> { });
    }

    /**
     * Loads and checks a config file, handing each warning (something that works but should be
     * fixed, such as a short CHAP secret) to {@code warnings}. Warnings never quote a secret.
     *
     * @throws ConfigException listing every problem found, or the single reason the file could not be read
     */
    public static PlatterConfig load(Path file, Consumer<ConfigProblem> warnings) throws ConfigException {
        Path abs = file.toAbsolutePath().normalize();
        String text;
        try {
            if (Files.isDirectory(abs)) {
                throw fail(file, "is a directory, not a config file: " + abs);
            }
            text = readText(abs);
        } catch (NoSuchFileException e) {
            throw fail(file, "file not found: " + abs);
        } catch (AccessDeniedException e) {
            throw fail(file, PrivateFiles.whyDenied(abs));
        } catch (CharacterCodingException e) {
            throw fail(file, "not UTF-8 text: " + abs);
        } catch (IOException e) {
            throw fail(file, "cannot read " + abs + ": " + e.getMessage());
        }
        if (isEmpty(text)) {
            // Issue 15 item 9: an empty file is a mistake (a truncated copy, a failed edit), never an empty SAN.
            throw fail(file, abs + " is empty: it holds " + (text.isBlank() ? "no text"
                    : "only comments") + ", no settings; write at least a server: section (see docs/catalog.md), or start without"
                    + " --config to use the embedded default");
        }
        ConfigMigration.Migrated migrated = ConfigMigration.migrate(text);
        migrated.advice().ifPresent(a -> warnings.accept(new ConfigProblem("", a)));
        Path dir = abs.getParent() == null ? abs : abs.getParent();
        return read(migrated.text(), dir, file, warnings);
    }

    /**
     * Reads the objects of a catalog generation ({@code io.platter.config.catalog}): a config-shaped
     * text with targets, volumes and the other object sections, whose only server setting may be
     * {@code discovery-chap}. Relative image paths resolve against {@code dataDir}; the returned
     * configuration's server settings are defaults with that data directory and the discovery CHAP.
     *
     * @param name names the text in messages
     * @throws ConfigException listing every problem
     */
    public static PlatterConfig readObjects(String text, Path dataDir, Path name) throws ConfigException {
        YAMLConfiguration yaml = new YAMLConfiguration();
        try {
            yaml.read(new StringReader(text), loaderOptions());
        } catch (ConfigurationException | RuntimeException e) {
            throw new ConfigException(name, List.of(syntaxProblem(e, text)));
        }
        Problems problems = new Problems();
        PlatterConfig config = new ConfigBinder(dataDir, problems)
                .bindObjects(yaml.getNodeModel().getNodeHandler().getRootNode(), dataDir);
        if (config == null) {
            throw new ConfigException(name, problems.list());
        }
        return config;
    }

    /**
     * The {@code server.data-dir} of a config file, read leniently: only that key is looked at, so a
     * file with problems elsewhere (or of a newer version) still tells where the daemon keeps its
     * data. Empty when the file does not name one; relative to the file's directory like the loader.
     *
     * @throws IOException when the file cannot be read or is not YAML at all, with a one-line reason
     */
    public static Optional<Path> dataDirOf(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String text;
        try {
            text = readText(abs);
        } catch (AccessDeniedException e) {
            throw new IOException(PrivateFiles.whyDenied(abs), e);
        } catch (NoSuchFileException e) {
            throw new IOException("file not found: " + abs, e);
        }
        String value;
        try {
            Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
            Node dir = child(child(root, ConfigKey.SERVER.word()), ConfigKey.DATA_DIR.word());
            value = dir instanceof ScalarNode s ? s.getValue() : null;
        } catch (RuntimeException e) {
            // Not YAML as a whole (an edit half done): the key's own line may still be fine.
            value = dataDirLine(text).orElseThrow(() -> new IOException(abs + " is not valid YAML and names no"
                    + " server.data-dir on a line of its own: " + e.getMessage().lines().findFirst().orElse(""), e));
        }
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            Path parent = abs.getParent() == null ? abs : abs.getParent();
            return Optional.of(parent.resolve(value.trim()).normalize());
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException("server.data-dir of " + abs + " is not a usable path", e);
        }
    }

    /** A block-style {@code data-dir: VALUE} line inside the top-level {@code server:} mapping. */
    private static Optional<String> dataDirLine(String text) {
        boolean inServer = false;
        for (String line : text.split("\r?\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#")) {
                inServer = line.matches("server:\\s*(#.*)?");
                continue;
            }
            java.util.regex.Matcher m = DATA_DIR_LINE.matcher(line);
            if (inServer && m.matches()) {
                return Optional.of(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
            }
        }
        return Optional.empty();
    }

    private static final Pattern DATA_DIR_LINE = Pattern.compile(
            "\\s+data-dir:\\s*(?:\"([^\"]*)\"|'([^']*)'|([^#\\s][^#]*?))\\s*(#.*)?");

    private static Node child(Node node, String key) {
        if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    /**
     * Whether a text holds no YAML content at all: only blank lines, comments and document markers
     * ({@code ---}, {@code ...}). Looked at line by line: a large file is not parsed twice.
     */
    private static boolean isEmpty(String text) {
        return text.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#")
                || l.equals("---") || l.equals("..."));
    }

    /**
     * Checks config text as if it were read from {@code file}, which names it in messages;
     * {@code configDir} is where a relative data-dir resolves.
     */
    static PlatterConfig read(String text, Path configDir, Path file) throws ConfigException {
        return read(text, configDir, file, warning -> { });
    }

    static PlatterConfig read(String text, Path configDir, Path file, Consumer<ConfigProblem> warnings)
            throws ConfigException {
        YAMLConfiguration yaml = new YAMLConfiguration();
        try {
            yaml.read(new StringReader(text), loaderOptions());
        } catch (ConfigurationException | RuntimeException e) {
            throw new ConfigException(file, List.of(syntaxProblem(e, text)));
        }
        Problems problems = new Problems();
        PlatterConfig config = new ConfigBinder(configDir, problems)
                .bind(yaml.getNodeModel().getNodeHandler().getRootNode());
        if (config == null) {
            throw new ConfigException(file, problems.list());
        }
        problems.warnings().forEach(warnings);
        return config;
    }

    /**
     * The text of a config file, checked before it is read: the path (followed once, if it is a
     * symlink) must name a regular file of at most {@link #MAX_FILE_BYTES}, so a FIFO, a device
     * such as /dev/zero or a huge file fails at once instead of hanging or filling the heap.
     * Also used for the files the writer and the migration replace.
     *
     * @throws IOException with a message that completes "cannot read FILE: "; a
     *                     {@link NoSuchFileException}, {@link AccessDeniedException} or
     *                     {@link CharacterCodingException} for those cases
     */
    public static String readText(Path abs) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(abs, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new IOException("is a directory, not a config file");
        }
        if (!attrs.isRegularFile()) {
            throw new IOException("not a regular file (a FIFO, device or socket); a config file must be a plain file");
        }
        if (attrs.size() > MAX_FILE_BYTES) {
            throw new IOException(tooLarge(String.valueOf(attrs.size())));
        }
        ByteBuffer buf = ByteBuffer.allocate((int) MAX_FILE_BYTES + 1);
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
            // The file may have grown since it was looked at: read one byte past the cap to tell.
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading
            }
        }
        if (buf.position() > MAX_FILE_BYTES) {
            throw new IOException(tooLarge("more than " + MAX_FILE_BYTES));
        }
        buf.flip();
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buf).toString();
    }

    private static String tooLarge(String size) {
        return "the file is " + size + " bytes; a config file may hold at most " + MAX_FILE_BYTES + " bytes (1 MiB)";
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        // A key written twice is almost always a mistake; snakeyaml's default silently keeps the last.
        options.setAllowDuplicateKeys(false);
        return options;
    }

    private static ConfigException fail(Path file, String message) {
        return new ConfigException(file, List.of(new ConfigProblem("", message)));
    }

    /** One problem for a file YAMLConfiguration could not read, positioned where the parser says. */
    private static ConfigProblem syntaxProblem(Exception e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                String message = "not valid YAML: " + marked.getProblem()
                        + (marked.getContext() != null ? " (" + marked.getContext() + ")" : "");
                if (mark != null && UNQUOTED_IPV6.matcher(line(text, mark.getLine())).matches()) {
                    message += "; write IPv6 portals in quotes, e.g. - \"[::1]:3260\"";
                }
                return new ConfigProblem(mark == null ? "" : position(mark), message);
            }
            if (t instanceof ClassCastException) {
                // YAMLConfiguration wants a mapping with text keys at every level.
                return shapeProblem(text);
            }
            if (t instanceof YAMLException yamlError) {
                return new ConfigProblem("", "not valid YAML: " + yamlError.getMessage());
            }
        }
        return new ConfigProblem("", "cannot read the YAML: " + e.getMessage());
    }

    /** Finds what made the document the wrong shape: a top level that is no mapping, or a non-text key. */
    private static ConfigProblem shapeProblem(String text) {
        Node root = new Yaml(loaderOptions()).compose(new StringReader(text));
        if (!(root instanceof MappingNode)) {
            return new ConfigProblem(root == null ? "" : position(root.getStartMark()),
                    "the file must be a mapping of keys (version:, server:, targets:), not "
                            + (root instanceof SequenceNode ? "a list" : "a single value"));
        }
        Deque<Node> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (node instanceof MappingNode map) {
                for (NodeTuple tuple : map.getValue()) {
                    Node key = tuple.getKeyNode();
                    if (!(key instanceof ScalarNode) || !Tag.STR.equals(key.getTag())) {
                        return new ConfigProblem(position(key.getStartMark()),
                                "keys must be text; put this key in quotes");
                    }
                    todo.push(tuple.getValueNode());
                }
            } else if (node instanceof SequenceNode seq) {
                seq.getValue().forEach(todo::push);
            }
        }
        return new ConfigProblem("", "the file is not a mapping of text keys");
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String line(String text, int index) {
        String[] lines = text.split("\r?\n", -1);
        return index < lines.length ? lines[index] : "";
    }
}

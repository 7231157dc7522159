package io.platter.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Writes a {@link PlatterConfig} back to its YAML file so that {@link ConfigLoader} reads the same
 * configuration again. The write is atomic and durable ({@link PrivateFiles#write}). The previous
 * file is kept as {@code <file>.bak} (one backup) unless the change drops a secret it held. A
 * crash at any point leaves either the old or the new file, each complete. Comments of a
 * hand-written file are not kept.
 *
 * <p>The file holds CHAP secrets (issue 21, finding 7): a file or backup holding one is written
 * 0600 (0640 where the file was already closed to others), and a secret that was cleared or
 * replaced is not kept in a backup.
 */
public final class ConfigWriter {

    private ConfigWriter() {
    }

    /**
     * What an export writes in place of a CHAP secret unless asked to include secrets. The loader
     * refuses it with a message saying to put the real secret there ({@code ChapBinder}).
     */
    public static final String SECRET_PLACEHOLDER = "<left out: export with --include-secrets>";

    /** The YAML text of {@code config}; paths are written absolute. */
    public static String toYaml(PlatterConfig config) {
        return "# Written by platter; the previous version is in the .bak file beside this one,\n"
                + "# unless this change removed a CHAP secret.\n"
                + dump(render(config, true, null, true));
    }

    /**
     * The text of a catalog generation: the object sections of {@code objects} (targets, volumes,
     * and of the server settings only {@code discovery-chap}), secrets included, image paths under
     * {@code dataDir} relative to it (so a moved data directory keeps its catalog). Read back with
     * {@link ConfigLoader#readObjects}.
     */
    public static String objectsYaml(PlatterConfig objects, Path dataDir, String header) {
        return comment(header) + dump(render(objects, false, dataDir.toAbsolutePath().normalize(), true));
    }

    /**
     * The whole of {@code config} as a config file {@code platter serve --config} accepts: server
     * settings with an absolute data directory, images under it relative to it; CHAP secrets
     * replaced by {@link #SECRET_PLACEHOLDER} unless {@code includeSecrets}.
     */
    public static String exportYaml(PlatterConfig config, boolean includeSecrets, String header) {
        return comment(header) + dump(render(config, true, config.server().dataDir().toAbsolutePath().normalize(),
                includeSecrets));
    }

    private static String comment(String header) {
        return header.isEmpty() ? "" : header.lines().map(l -> "# " + l + "\n").reduce("", String::concat);
    }

    /**
     * The sections of {@code config} as YAML values; {@code server} all settings or only discovery-chap;
     * images under {@code relativeTo} written relative (null: absolute); secrets or placeholders.
     */
    private static Map<String, Object> render(PlatterConfig config, boolean allServer, Path relativeTo,
                                              boolean secrets) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", config.version());
        if (allServer) {
            root.put("server", server(config.server(), secrets));
        } else if (config.server().discoveryChap() != null) {
            root.put("server", Map.of(ConfigKey.DISCOVERY_CHAP.word(), chap(config.server().discoveryChap(), secrets)));
        }
        List<Object> targets = new ArrayList<>();
        for (TargetConfig t : config.targets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("iqn", t.iqn());
            if (t.alias() != null) {
                m.put("alias", t.alias());
            }
            List<Object> luns = new ArrayList<>();
            for (LunConfig l : t.luns()) {
                Map<String, Object> lun = new LinkedHashMap<>();
                lun.put("id", l.id());
                lun.put("image", path(l.image(), relativeTo));
                if (l.hasSize()) {
                    lun.put("size", Sizes.format(l.sizeBytes()));
                }
                lun.put("format", l.format().word());
                lun.put("provisioning", l.provisioning().word());
                luns.add(lun);
            }
            m.put("luns", luns);
            if (t.chap() != null) {
                m.put("chap", chap(t.chap(), secrets));
            }
            if (!t.acl().isEmpty()) {
                m.put("acl", new ArrayList<>(t.acl()));
            }
            targets.add(m);
        }
        root.put("targets", targets);
        List<Object> volumes = new ArrayList<>();
        for (VolumeConfig v : config.volumes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("image", path(v.image(), relativeTo));
            m.put("format", v.format().word());
            m.put("provisioning", v.provisioning().word());
            if (v.template()) {
                m.put("template", true);
            }
            volumes.add(m);
        }
        root.put("volumes", volumes);
        return root;
    }

    private static String path(Path image, Path relativeTo) {
        Path abs = image.toAbsolutePath().normalize();
        if (relativeTo != null && abs.startsWith(relativeTo) && !abs.equals(relativeTo)) {
            return relativeTo.relativize(abs).toString();
        }
        return abs.toString();
    }

    private static String dump(Map<String, Object> root) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return new Yaml(options).dump(root);
    }

    private static Map<String, Object> server(ServerSettings s, boolean secrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        // Group 1 is `portals`; other portal groups keep their tags (RFC 7143 §4.4.1 TPGT).
        List<Map<String, Object>> others = new java.util.ArrayList<>();
        for (PortalGroup g : s.portalGroups()) {
            List<String> portals = g.portals().stream().map(Portal::toString).toList();
            if (g.tag() == PortalGroup.DEFAULT_TAG) {
                m.put("portals", portals);
            } else {
                Map<String, Object> group = new LinkedHashMap<>();
                group.put("tag", g.tag());
                group.put("portals", portals);
                others.add(group);
            }
        }
        if (!others.isEmpty()) {
            m.put("portal-groups", others);
        }
        m.put("data-dir", s.dataDir().toString());
        if (s.ioThreads() > 0) {
            m.put("io-threads", s.ioThreads());
        }
        if (s.discoveryChap() != null) {
            m.put("discovery-chap", chap(s.discoveryChap(), secrets));
        }
        s.metrics().ifPresent(p -> m.put("metrics", p.toString()));
        s.logLevel().ifPresent(l -> m.put("log-level", l.name().toLowerCase(Locale.ROOT)));
        s.management().ifPresent(p -> m.put("management", p.toString()));
        if (s.thinThresholdPercent() != ServerSettings.DEFAULT_THIN_THRESHOLD) {
            m.put("thin-threshold", s.thinThresholdPercent());
        }
        return m;
    }

    private static Map<String, Object> chap(ChapCredentials c, boolean secrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", c.user());
        m.put("secret", secrets ? c.secret() : SECRET_PLACEHOLDER);
        if (c.mutualUser() != null) {
            m.put("mutual-user", c.mutualUser());
            m.put("mutual-secret", secrets ? c.mutualSecret() : SECRET_PLACEHOLDER);
        }
        if (ChapCredentials.secretWarning(c.secret()).isPresent()
                || (c.mutualSecret() != null && ChapCredentials.secretWarning(c.mutualSecret()).isPresent())) {
            // A short secret accepted with a warning (management API) must load again.
            m.put(ConfigKey.ALLOW_SHORT_SECRET.word(), true);
        }
        return m;
    }

    /** Where the backup of {@code file} is kept. */
    public static Path backup(Path file) {
        return file.resolveSibling(file.getFileName() + ".bak");
    }

    /** What became of the backup when a file was written. */
    public enum Backup {
        /** The previous file is in {@code .bak}. */
        KEPT,
        /** There was no previous file. */
        NONE,
        /**
         * The new file drops a secret the previous one held (a CHAP secret cleared or replaced):
         * no backup is kept, and an older one is removed, so the old secret is gone from disk.
         */
        REMOVED_FOR_SECRETS
    }

    /**
     * Atomically replaces {@code file} with {@code config}. The previous file is copied to
     * {@link #backup} (a real copy, written the same way, never a hard link) unless it holds a
     * secret the new file no longer has; then no backup is kept at all (see {@link Backup}). A file
     * holding a secret and its backup get {@link PrivateFiles#secretMode}: 0600, or 0640 where
     * the previous file was already closed to others; a file without secrets keeps its mode.
     */
    public static Backup write(Path file, PlatterConfig config) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        byte[] text = toYaml(config).getBytes(StandardCharsets.UTF_8);
        boolean exists = Files.exists(abs);
        PrivateFiles.Ownership previous = exists ? PrivateFiles.Ownership.of(abs)
                : PrivateFiles.Ownership.ours(PrivateFiles.OWNER_ONLY);
        Set<String> secrets = secrets(config);
        PrivateFiles.Ownership next = secrets.isEmpty() ? previous : previous.forSecrets();
        Backup backup = Backup.NONE;
        if (exists) {
            String old = ConfigLoader.readText(abs);
            Optional<Set<String>> oldSecrets = secrets(old);
            Path bak = backup(abs);
            if (oldSecrets.isPresent() && secrets.containsAll(oldSecrets.get())) {
                PrivateFiles.write(bak, old.getBytes(StandardCharsets.UTF_8),
                        oldSecrets.get().isEmpty() ? previous : previous.forSecrets());
                backup = Backup.KEPT;
            } else {
                Files.deleteIfExists(bak);
                backup = Backup.REMOVED_FOR_SECRETS;
            }
        }
        PrivateFiles.write(abs, text, next);
        return backup;
    }

    /** Every CHAP secret of {@code config}. */
    public static Set<String> secrets(PlatterConfig config) {
        Set<String> out = new HashSet<>();
        List<ChapCredentials> chaps = new ArrayList<>();
        chaps.add(config.server().discoveryChap());
        config.targets().forEach(t -> chaps.add(t.chap()));
        for (ChapCredentials c : chaps) {
            if (c != null) {
                out.add(c.secret());
                if (c.mutualSecret() != null) {
                    out.add(c.mutualSecret());
                }
            }
        }
        return out;
    }

    /**
     * Every value of a {@code secret} or {@code mutual-secret} key anywhere in the YAML
     * {@code text}; empty when the text cannot be parsed (then it may hold anything).
     */
    public static Optional<Set<String>> secrets(String text) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        Set<String> out = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>();
        if (root != null) {
            todo.push(root);
        }
        Set<String> keys = Set.of(ConfigKey.CHAP_SECRET.word(), ConfigKey.MUTUAL_SECRET.word());
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (node instanceof MappingNode map) {
                for (NodeTuple t : map.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && keys.contains(k.getValue())
                            && t.getValueNode() instanceof ScalarNode v) {
                        out.add(v.getValue());
                    } else {
                        todo.push(t.getValueNode());
                    }
                }
            } else if (node instanceof SequenceNode seq) {
                seq.getValue().forEach(todo::push);
            }
        }
        return Optional.of(out);
    }

    /** Makes a rename in {@code dir} durable; see {@link PrivateFiles#fsyncDirectory}. */
    public static void fsyncDirectory(Path dir) throws IOException {
        PrivateFiles.fsyncDirectory(dir);
    }
}

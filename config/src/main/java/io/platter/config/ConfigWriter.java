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

    /** The YAML text of {@code config}; paths are written absolute. */
    public static String toYaml(PlatterConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", config.version());
        root.put("server", server(config.server()));
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
                lun.put("image", l.image().toString());
                if (l.hasSize()) {
                    lun.put("size", Sizes.format(l.sizeBytes()));
                }
                lun.put("format", l.format().word());
                lun.put("provisioning", l.provisioning().word());
                luns.add(lun);
            }
            m.put("luns", luns);
            if (t.chap() != null) {
                m.put("chap", chap(t.chap()));
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
            m.put("image", v.image().toString());
            m.put("format", v.format().word());
            m.put("provisioning", v.provisioning().word());
            if (v.template()) {
                m.put("template", true);
            }
            if (v.importedInPlace()) {
                m.put(ConfigKey.VOLUME_IMPORTED.word(), VolumeConfig.IMPORTED_IN_PLACE);
            }
            volumes.add(m);
        }
        root.put("volumes", volumes);
        if (!config.snapshotGroups().isEmpty()) {
            root.put(ConfigKey.SNAPSHOT_GROUPS.word(), snapshotGroups(config.snapshotGroups()));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return "# Written by platter; the previous version is in the .bak file beside this one,\n"
                + "# unless this change removed a CHAP secret.\n"
                + new Yaml(options).dump(root);
    }

    /** The {@code snapshot-groups:} section ({@link SnapshotGroupBinder} reads it back). */
    static List<Object> snapshotGroups(List<SnapshotGroup> groups) {
        List<Object> out = new ArrayList<>();
        for (SnapshotGroup g : groups) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(ConfigKey.SNAPSHOT_GROUP_NAME.word(), g.group());
            m.put(ConfigKey.SNAPSHOT_GROUP_SNAPSHOT.word(), g.snapshot());
            m.put(ConfigKey.SNAPSHOT_GROUP_VOLUMES.word(), new ArrayList<>(g.volumes()));
            m.put(ConfigKey.SNAPSHOT_GROUP_CREATED.word(), g.created().toString());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> server(ServerSettings s) {
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
            m.put("discovery-chap", chap(s.discoveryChap()));
        }
        s.metrics().ifPresent(p -> m.put("metrics", p.toString()));
        s.logLevel().ifPresent(l -> m.put("log-level", l.name().toLowerCase(Locale.ROOT)));
        s.management().ifPresent(p -> m.put("management", p.toString()));
        if (s.thinThresholdPercent() != ServerSettings.DEFAULT_THIN_THRESHOLD) {
            m.put("thin-threshold", s.thinThresholdPercent());
        }
        return m;
    }

    private static Map<String, Object> chap(ChapCredentials c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", c.user());
        m.put("secret", c.secret());
        if (c.mutualUser() != null) {
            m.put("mutual-user", c.mutualUser());
            m.put("mutual-secret", c.mutualSecret());
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
    static Set<String> secrets(PlatterConfig config) {
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
    static Optional<Set<String>> secrets(String text) {
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

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
 * Renders a {@link PlatterConfig} as YAML that {@link ConfigLoader} reads as the same
 * configuration: whole ({@link #toYaml}, {@link #exportYaml}) or its object sections for a catalog
 * generation ({@link #objectsYaml}). It writes no file: the daemon never writes the operator's
 * config file (issue 15); the catalog ({@code io.platter.config.catalog.FileCatalog}) and the CLI
 * write what this renders, 0600 when it holds a CHAP secret.
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
        return dump(render(config, true, null, true));
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
            if (v.importedInPlace()) {
                m.put(ConfigKey.VOLUME_IMPORTED.word(), VolumeConfig.IMPORTED_IN_PLACE);
            }
            volumes.add(m);
        }
        root.put("volumes", volumes);
        if (!config.snapshotGroups().isEmpty()) {
            root.put(ConfigKey.SNAPSHOT_GROUPS.word(), snapshotGroups(config.snapshotGroups()));
        }
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

}

package io.platter.config;

import io.platter.config.ConfigKey.Scope;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Turns the node tree of a loaded YAML file into a {@link PlatterConfig}, checking every key and
 * value and collecting all problems instead of stopping at the first.
 */
final class ConfigBinder {

    private static final int MAX_IO_THREADS = 4096;

    private final Path configDir;
    private final Problems problems;
    /** Image file -> where it was first used, to catch two LUNs sharing one image. */
    private final Map<Path, String> imageUsers = new HashMap<>();

    /**
     * @param configDir the config file's directory, against which a relative data-dir resolves
     */
    ConfigBinder(Path configDir, Problems problems) {
        this.configDir = configDir.toAbsolutePath().normalize();
        this.problems = problems;
    }

    /** The configuration, or null if any problem was found (they are in the {@link Problems}). */
    PlatterConfig bind(ImmutableNode root) {
        Section file = Section.open("", root, Scope.FILE, problems);
        Integer version = file.integer(ConfigKey.VERSION, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (version != null && version != PlatterConfig.CURRENT_VERSION) {
            file.problem(ConfigKey.VERSION, "unsupported version " + version
                    + " (this Platter reads version " + PlatterConfig.CURRENT_VERSION + ")");
        }
        ServerSettings server = server(file.child(ConfigKey.SERVER, Scope.SERVER));
        List<TargetConfig> targets = targets(file, server.dataDir());
        List<VolumeConfig> volumes = volumes(file, server.dataDir());
        List<SnapshotGroup> groups = SnapshotGroupBinder.groups(file, volumes);
        return problems.isEmpty()
                ? new PlatterConfig(PlatterConfig.CURRENT_VERSION, server, targets, volumes, groups) : null;
    }

    /**
     * The objects of a catalog generation: targets, volumes and the other object sections as in a
     * config file, and of the server settings only {@code discovery-chap} (the one server setting the
     * management API changes); null if any problem was found. Relative images resolve against
     * {@code dataDir}.
     */
    PlatterConfig bindObjects(ImmutableNode root, Path dataDir) {
        Section file = Section.open("", root, Scope.FILE, problems);
        Integer version = file.integer(ConfigKey.VERSION, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (version != null && version != PlatterConfig.CURRENT_VERSION) {
            file.problem(ConfigKey.VERSION, "unsupported version " + version
                    + " (this Platter reads version " + PlatterConfig.CURRENT_VERSION + ")");
        }
        ChapCredentials discoveryChap = null;
        if (file.has(ConfigKey.SERVER)) {
            Section server = file.child(ConfigKey.SERVER, Scope.SERVER);
            for (ConfigKey key : ConfigKey.values()) {
                if (key.scope() == Scope.SERVER && key != ConfigKey.DISCOVERY_CHAP && server.has(key)) {
                    server.problem(key, "a catalog holds no server settings but discovery-chap;"
                            + " set this in the config file");
                }
            }
            if (server.has(ConfigKey.DISCOVERY_CHAP)) {
                discoveryChap = ChapBinder.chap(server.child(ConfigKey.DISCOVERY_CHAP, Scope.CHAP));
            }
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        List<TargetConfig> targets = targets(file, dir);
        List<VolumeConfig> volumes = volumes(file, dir);
        ServerSettings server = new ServerSettings(ServerSettings.defaultPortals(), dir, 0)
                .withDiscoveryChap(discoveryChap);
        List<SnapshotGroup> groups = SnapshotGroupBinder.groups(file, null);
        return problems.isEmpty()
                ? new PlatterConfig(PlatterConfig.CURRENT_VERSION, server, targets, volumes, groups) : null;
    }

    /** Always returns settings (defaults where the file is wrong) so the LUNs can still be checked. */
    private ServerSettings server(Section s) {
        List<PortalGroup> groups = portalGroups(s);
        Path dataDir = ServerSettings.DEFAULT_DATA_DIR;
        String dir = s.text(ConfigKey.DATA_DIR);
        if (dir != null) {
            Path p = path(s, ConfigKey.DATA_DIR, dir);
            if (p != null) {
                dataDir = configDir.resolve(p);
                if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                    s.problem(ConfigKey.DATA_DIR, ConfigKey.DATA_DIR.show(dataDir) + " is not a directory");
                }
            }
        }
        Integer ioThreads = s.integer(ConfigKey.IO_THREADS, 0, MAX_IO_THREADS);
        ChapCredentials discoveryChap = s.has(ConfigKey.DISCOVERY_CHAP)
                ? ChapBinder.chap(s.child(ConfigKey.DISCOVERY_CHAP, Scope.CHAP)) : null;
        Optional<Portal> metrics = Optional.empty();
        String listen = s.text(ConfigKey.METRICS);
        if (listen != null) {
            try {
                metrics = Optional.of(Portal.parse(listen));
            } catch (IllegalArgumentException e) {
                s.problem(ConfigKey.METRICS, "bad listen address " + ConfigKey.METRICS.show(listen) + ": "
                        + e.getMessage() + " (use host:port, e.g. 127.0.0.1:9470)");
            }
        }
        Optional<LogLevel> logLevel = Optional.empty();
        String level = s.text(ConfigKey.LOG_LEVEL);
        if (level != null) {
            logLevel = LogLevel.parse(level);
            if (logLevel.isEmpty()) {
                s.problem(ConfigKey.LOG_LEVEL, "unknown level " + ConfigKey.LOG_LEVEL.show(level)
                        + " (one of trace, debug, info, warn, error)");
            }
        }
        Optional<Portal> management = Optional.empty();
        String api = s.text(ConfigKey.MANAGEMENT);
        if (api != null) {
            try {
                management = Optional.of(Portal.parse(api));
            } catch (IllegalArgumentException e) {
                s.problem(ConfigKey.MANAGEMENT, "bad listen address " + ConfigKey.MANAGEMENT.show(api) + ": "
                        + e.getMessage() + " (use host:port, e.g. 127.0.0.1:9471)");
            }
        }
        Integer threshold = s.integer(ConfigKey.THIN_THRESHOLD, 1, 100);
        return new ServerSettings(groups, dataDir, ioThreads == null ? 0 : ioThreads, discoveryChap, metrics,
                logLevel, management, threshold == null ? ServerSettings.DEFAULT_THIN_THRESHOLD : threshold);
    }

    /**
     * {@code server.portals} (group 1) and {@code server.portal-groups}; a portal listens once, so it
     * may appear in one group only. The default portal when the file names none.
     */
    private List<PortalGroup> portalGroups(Section s) {
        Map<Integer, List<Portal>> byTag = new java.util.TreeMap<>();
        Map<Integer, String> tagSeen = new HashMap<>();
        Map<Portal, String> seen = new HashMap<>();
        List<Portal> first = portals(s.items(ConfigKey.PORTALS), ConfigKey.PORTALS, seen);
        if (!first.isEmpty()) {
            byTag.put(PortalGroup.DEFAULT_TAG, new ArrayList<>(first));
            tagSeen.put(PortalGroup.DEFAULT_TAG, s.where() + ".portals");
        }
        for (Section g : s.entries(ConfigKey.PORTAL_GROUPS, Scope.PORTAL_GROUP)) {
            Integer tag = g.integer(ConfigKey.GROUP_TAG, 1, PortalGroup.MAX_TAG);
            List<Portal> portals = portals(g.items(ConfigKey.GROUP_PORTALS), ConfigKey.GROUP_PORTALS, seen);
            if (tag == null) {
                continue;
            }
            String before = tagSeen.putIfAbsent(tag, g.where());
            if (before != null && tag != PortalGroup.DEFAULT_TAG) {
                g.problem(ConfigKey.GROUP_TAG, "duplicate portal group tag " + tag + " (also " + before + ")");
            }
            if (portals.isEmpty()) {
                g.problem(ConfigKey.GROUP_PORTALS, "a portal group needs at least one portal");
            }
            byTag.computeIfAbsent(tag, t -> new ArrayList<>()).addAll(portals);
        }
        List<PortalGroup> groups = new ArrayList<>();
        byTag.forEach((tag, portals) -> {
            if (!portals.isEmpty()) {
                groups.add(new PortalGroup(tag, portals));
            }
        });
        return groups.isEmpty() ? List.of(new PortalGroup(PortalGroup.DEFAULT_TAG, ServerSettings.defaultPortals()))
                : groups;
    }

    private List<Portal> portals(List<Section.Item> items, ConfigKey key, Map<Portal, String> seen) {
        List<Portal> portals = new ArrayList<>();
        for (Section.Item item : items) {
            try {
                Portal portal = Portal.parse(item.value().toString());
                String first = seen.putIfAbsent(portal, item.where());
                if (first != null) {
                    problems.add(item.where(), "duplicate portal " + portal + " (also " + first + ")");
                } else {
                    portals.add(portal);
                }
            } catch (IllegalArgumentException e) {
                problems.add(item.where(), "bad portal " + key.show(item.value())
                        + ": " + e.getMessage() + " (use host:port, e.g. 0.0.0.0:3260 or \"[::]:3260\")");
            }
        }
        return portals;
    }

    private List<TargetConfig> targets(Section file, Path dataDir) {
        List<TargetConfig> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Section t : file.entries(ConfigKey.TARGETS, Scope.TARGET)) {
            String iqn = t.text(ConfigKey.IQN);
            if (iqn != null) {
                String reason = IscsiNames.problem(iqn).orElse(null);
                if (reason != null) {
                    t.problem(ConfigKey.IQN, "bad iSCSI name " + ConfigKey.IQN.show(iqn) + ": " + reason);
                    iqn = null;
                } else {
                    iqn = IscsiNames.normalize(iqn);
                    String first = names.putIfAbsent(iqn, t.where());
                    if (first != null) {
                        t.problem(ConfigKey.IQN, "duplicate target name " + ConfigKey.IQN.show(iqn)
                                + " (also " + first + ")");
                    }
                }
            }
            String alias = t.text(ConfigKey.ALIAS);
            List<LunConfig> luns = luns(t, dataDir);
            ChapCredentials chap = t.has(ConfigKey.CHAP) ? ChapBinder.chap(t.child(ConfigKey.CHAP, Scope.CHAP)) : null;
            List<String> acl = ChapBinder.acl(t);
            if (iqn != null) {
                out.add(new TargetConfig(iqn, alias, luns, chap, acl));
            }
        }
        return out;
    }

    private List<VolumeConfig> volumes(Section file, Path dataDir) {
        List<VolumeConfig> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<Path, String> images = new HashMap<>();
        for (Section v : file.entries(ConfigKey.VOLUMES, Scope.VOLUME)) {
            String name = v.text(ConfigKey.VOLUME_NAME);
            if (name != null && !VolumeConfig.NAME.matcher(name).matches()) {
                v.problem(ConfigKey.VOLUME_NAME, "bad volume name " + ConfigKey.VOLUME_NAME.show(name)
                        + " (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
                name = null;
            } else if (name != null) {
                String first = names.putIfAbsent(name, v.where());
                if (first != null) {
                    v.problem(ConfigKey.VOLUME_NAME, "duplicate volume " + ConfigKey.VOLUME_NAME.show(name)
                            + " (also " + first + ")");
                }
            }
            String text = v.text(ConfigKey.VOLUME_IMAGE);
            Path image = text == null ? null : path(v, ConfigKey.VOLUME_IMAGE, text);
            if (image != null) {
                image = dataDir.resolve(image).toAbsolutePath().normalize();
                String first = images.putIfAbsent(image, v.where());
                if (first != null) {
                    v.problem(ConfigKey.VOLUME_IMAGE, "image " + ConfigKey.VOLUME_IMAGE.show(image)
                            + " is already volume " + first);
                }
            }
            ImageFormat format = word(v, ConfigKey.VOLUME_FORMAT, ImageFormat.QCOW2,
                    ImageFormat::fromWord, ImageFormat.choices());
            Provisioning provisioning = word(v, ConfigKey.VOLUME_PROVISIONING, Provisioning.THIN,
                    Provisioning::fromWord, Provisioning.choices());
            if (format == ImageFormat.QCOW2 && provisioning == Provisioning.THICK) {
                v.problem(ConfigKey.VOLUME_PROVISIONING, "qcow2 images are always thin (use raw for thick)");
            }
            Boolean template = flag(v, ConfigKey.VOLUME_TEMPLATE);
            if (Boolean.TRUE.equals(template) && image != null && imageUsers.containsKey(image)) {
                // A template's clones read it as their backing file: a LUN would write under them.
                problems.add(imageUsers.get(image) + "." + ConfigKey.IMAGE.word(), "image " + ConfigKey.IMAGE.show(image)
                        + " is the read-only template " + ConfigKey.VOLUME_NAME.show(name) + " (" + v.where()
                        + "), which clones use as backing file; a LUN must not write it: map a clone instead");
            }
            Boolean inPlace = importedInPlace(v);
            if (name != null && image != null && format != null && provisioning != null && template != null
                    && inPlace != null) {
                out.add(new VolumeConfig(name, image, format, provisioning, template, inPlace));
            }
        }
        return out;
    }

    /** {@code imported: in-place} (the only value); false when absent, null when reported. */
    private static Boolean importedInPlace(Section v) {
        String text = v.text(ConfigKey.VOLUME_IMPORTED);
        if (text == null) {
            return false;
        }
        if (text.equals(VolumeConfig.IMPORTED_IN_PLACE)) {
            return true;
        }
        v.problem(ConfigKey.VOLUME_IMPORTED, "unknown value " + ConfigKey.VOLUME_IMPORTED.show(text) + " (use "
                + VolumeConfig.IMPORTED_IN_PLACE + ", or leave the key out for an image Platter made)");
        return null;
    }

    /** A yes/no key; false when absent, null when reported. */
    private static Boolean flag(Section s, ConfigKey key) {
        Object raw = s.scalar(key);
        if (raw == null) {
            return false;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        s.problem(key, "expected true or false, got " + key.show(raw));
        return null;
    }

    private List<LunConfig> luns(Section target, Path dataDir) {
        List<LunConfig> out = new ArrayList<>();
        Map<Integer, String> ids = new HashMap<>();
        for (Section l : target.entries(ConfigKey.LUNS, Scope.LUN)) {
            Integer id = l.integer(ConfigKey.LUN_ID, 0, LunConfig.MAX_ID);
            if (id != null) {
                String first = ids.putIfAbsent(id, l.where());
                if (first != null) {
                    l.problem(ConfigKey.LUN_ID, "duplicate LUN id " + id + " (also " + first + ")");
                }
            }
            Path image = image(l, dataDir);
            long size = size(l);
            ImageFormat format = word(l, ConfigKey.FORMAT, ImageFormat.RAW,
                    ImageFormat::fromWord, ImageFormat.choices());
            Provisioning provisioning = word(l, ConfigKey.PROVISIONING, Provisioning.THIN,
                    Provisioning::fromWord, Provisioning.choices());
            if (format == ImageFormat.QCOW2 && provisioning == Provisioning.THICK) {
                l.problem(ConfigKey.PROVISIONING, "qcow2 images are always thin (use raw for thick)");
            }
            if (image != null && size == 0 && !Files.exists(image)) {
                l.problem(ConfigKey.SIZE, "missing: image " + ConfigKey.IMAGE.show(image)
                        + " does not exist yet, so its size is required (e.g. size: 10G)");
            }
            if (id != null && image != null && size >= 0 && format != null && provisioning != null) {
                out.add(new LunConfig(id, image, size, format, provisioning));
            }
        }
        return out;
    }

    private Path image(Section lun, Path dataDir) {
        String text = lun.text(ConfigKey.IMAGE);
        Path p = text == null ? null : path(lun, ConfigKey.IMAGE, text);
        if (p == null) {
            return null;
        }
        Path image = dataDir.resolve(p).toAbsolutePath().normalize();
        if (Files.isDirectory(image)) {
            lun.problem(ConfigKey.IMAGE, ConfigKey.IMAGE.show(image) + " is a directory, not an image file");
            return null;
        }
        String first = imageUsers.putIfAbsent(image, lun.where());
        if (first != null) {
            lun.problem(ConfigKey.IMAGE, "image " + ConfigKey.IMAGE.show(image) + " is already used by " + first);
        }
        return image;
    }

    /** The size in bytes, 0 when not given, -1 when reported as wrong. */
    private long size(Section lun) {
        Object raw = lun.scalar(ConfigKey.SIZE);
        if (raw == null) {
            return 0;
        }
        long bytes;
        BigInteger whole = Section.wholeNumber(raw);
        if (whole != null && whole.bitLength() < Long.SIZE && whole.signum() >= 0) {
            bytes = whole.longValue();
        } else if (raw instanceof String text) {
            try {
                bytes = Sizes.parse(text);
            } catch (IllegalArgumentException e) {
                lun.problem(ConfigKey.SIZE, e.getMessage()); // says why, as the CLI does (one parser)
                return -1;
            }
        } else {
            lun.problem(ConfigKey.SIZE, "not a size: " + ConfigKey.SIZE.show(raw) + " (use e.g. 512M, 10G)");
            return -1;
        }
        if (bytes == 0) {
            lun.problem(ConfigKey.SIZE, "must be greater than 0");
            return -1;
        }
        if (bytes % LunConfig.SIZE_GRANULARITY != 0) {
            lun.problem(ConfigKey.SIZE, "must be a multiple of 512 bytes, got " + ConfigKey.SIZE.show(raw)
                    + (whole == null ? " (" + bytes + " bytes)" : ""));
            return -1;
        }
        return bytes;
    }

    /** A config word looked up in its enum's table; the fallback when absent or empty. */
    private static <E> E word(Section lun, ConfigKey key, E fallback,
                              Function<String, Optional<E>> table, String choices) {
        String text = lun.text(key);
        if (text == null) {
            return fallback;
        }
        Optional<E> found = table.apply(text);
        if (found.isEmpty()) {
            lun.problem(key, "unknown " + key.word() + " " + key.show(text) + " (use " + choices + ")");
        }
        return found.orElse(null);
    }

    private static Path path(Section s, ConfigKey key, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            s.problem(key, "not a usable path " + key.show(text) + ": " + e.getReason());
            return null;
        }
    }
}

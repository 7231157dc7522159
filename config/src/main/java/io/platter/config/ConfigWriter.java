package io.platter.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a {@link PlatterConfig} back to its YAML file so that {@link ConfigLoader} reads the same
 * configuration again. The write is atomic and durable: the text goes to a temporary file in the
 * same directory, which is fsynced and renamed over the file, then the directory is fsynced. The
 * previous file is kept as {@code <file>.bak} (one backup). A crash at any point leaves either the
 * old or the new file, each complete. Comments of a hand-written file are not kept.
 *
 * <p>The file holds CHAP secrets: a new file is created readable by its owner only, a rewritten
 * file keeps its permissions.
 */
public final class ConfigWriter {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

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
            volumes.add(m);
        }
        root.put("volumes", volumes);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return "# Written by platter; the previous version is in the .bak file beside this one.\n"
                + new Yaml(options).dump(root);
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

    /** Atomically replaces {@code file} with {@code config}, keeping the old file as {@link #backup}. */
    public static void write(Path file, PlatterConfig config) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        byte[] text = toYaml(config).getBytes(StandardCharsets.UTF_8);
        Path tmp = dir.resolve("." + abs.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Set<PosixFilePermission> mode = Files.exists(abs) ? Files.getPosixFilePermissions(abs) : OWNER_ONLY;
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(mode));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another writer is replacing " + abs, e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (Files.exists(abs)) {
                // A hard link is an instant, complete backup; copy where links are not possible.
                Path bak = backup(abs);
                Files.deleteIfExists(bak);
                try {
                    Files.createLink(bak, abs);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(abs, bak, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDirectory(dir);
    }

    /** Makes a rename in {@code dir} durable (POSIX: the directory entry is data of the directory). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}

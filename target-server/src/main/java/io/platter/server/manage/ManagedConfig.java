package io.platter.server.manage;

import io.platter.config.ConfigWriter;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration as the daemon persists it: the file's own server settings (command line
 * overrides such as {@code --portal} are not written back) with the live targets and volumes.
 * Every change is written atomically with {@link ConfigWriter} before it counts as done.
 *
 * <p>Not thread-safe: the managers call it under their common lock.
 */
public final class ManagedConfig {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedConfig.class);

    private final Path file;
    private PlatterConfig config;

    /**
     * @param file   where changes are written
     * @param loaded the configuration as read from {@code file} (or the embedded default)
     */
    public ManagedConfig(Path file, PlatterConfig loaded) {
        this.file = file.toAbsolutePath().normalize();
        this.config = loaded;
    }

    public Path file() {
        return file;
    }

    public PlatterConfig get() {
        return config;
    }

    /** Writes {@code change(current)} and makes it current; on failure nothing changes. */
    public PlatterConfig update(UnaryOperator<PlatterConfig> change) {
        PlatterConfig next = change.apply(config);
        ConfigWriter.Backup backup;
        try {
            backup = ConfigWriter.write(file, next);
        } catch (IOException e) {
            throw ManagementException.failed("cannot write " + file + ": " + e.getMessage()
                    + "; nothing was changed");
        }
        config = next;
        LOG.info("configuration saved to {}{}", file, backup == ConfigWriter.Backup.REMOVED_FOR_SECRETS
                ? " (no backup kept: the change removed a CHAP secret the previous file held)" : "");
        return next;
    }

    /** Makes {@code loaded} current without writing (after a reload read it from the file). */
    public void replace(PlatterConfig loaded) {
        config = loaded;
    }

    public Optional<VolumeConfig> volume(String name) {
        return config.volume(name);
    }

    /** The volume whose image is {@code image}, if any. */
    public Optional<VolumeConfig> volumeOfImage(Path image) {
        return config.volumes().stream().filter(v -> v.image().equals(image)).findFirst();
    }

    /** The target and LUN that map {@code image}, if any. */
    public Optional<Mapping> mappingOf(Path image) {
        for (TargetConfig t : config.targets()) {
            for (LunConfig l : t.luns()) {
                if (l.image().equals(image)) {
                    return Optional.of(new Mapping(t.iqn(), l));
                }
            }
        }
        return Optional.empty();
    }

    /** A LUN of a target. */
    public record Mapping(String iqn, LunConfig lun) {
    }

    static PlatterConfig withVolume(PlatterConfig c, VolumeConfig v) {
        List<VolumeConfig> volumes = new ArrayList<>(c.volumes());
        volumes.removeIf(x -> x.name().equals(v.name()));
        volumes.add(v);
        return c.withVolumes(volumes);
    }

    static PlatterConfig withoutVolume(PlatterConfig c, String name) {
        return c.withVolumes(c.volumes().stream().filter(v -> !v.name().equals(name)).toList());
    }

    static PlatterConfig withLun(PlatterConfig c, String iqn, LunConfig lun) {
        return c.withTargets(c.targets().stream().map(t -> {
            if (!t.iqn().equals(iqn)) {
                return t;
            }
            List<LunConfig> luns = new ArrayList<>(t.luns());
            luns.removeIf(l -> l.id() == lun.id());
            luns.add(lun);
            return new TargetConfig(t.iqn(), t.alias(), luns, t.chap(), t.acl());
        }).toList());
    }

    static PlatterConfig withoutLun(PlatterConfig c, String iqn, int id) {
        return c.withTargets(c.targets().stream().map(t -> t.iqn().equals(iqn)
                ? new TargetConfig(t.iqn(), t.alias(), t.luns().stream().filter(l -> l.id() != id).toList(),
                        t.chap(), t.acl())
                : t).toList());
    }
}

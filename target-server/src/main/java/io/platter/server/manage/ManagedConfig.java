package io.platter.server.manage;

import io.platter.config.ConfigException;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.config.catalog.Catalog;
import io.platter.config.catalog.FileCatalog;
import io.platter.config.catalog.Layers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The effective configuration: the operator's file (server settings and DECLARED objects; never
 * written by the daemon) merged with the objects of the daemon's {@link Catalog}. A change through
 * the API ({@link #update}) is refused when it changes or removes a declared object, and commits only
 * the catalog's part as a new generation before it counts as done.
 *
 * <p>Not thread-safe: the managers call it under their common lock (this object's monitor).
 */
public final class ManagedConfig {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedConfig.class);

    private final Path file;
    private final Catalog catalog;
    private final PlatterConfig empty;
    private PlatterConfig declared;
    private long generation;
    private PlatterConfig config;

    /**
     * @param file     the operator's config file, or null when the daemon runs without one
     * @param declared what the file declares (server settings and objects; for no file, the server
     *                 settings of the embedded default and no objects)
     * @param catalog  where changes are committed
     * @param loaded   the catalog generation the daemon starts from
     * @param empty    the catalog's empty objects (their server settings carry the data directory)
     * @throws ConfigException when a name is both declared and in the catalog
     */
    public ManagedConfig(Path file, PlatterConfig declared, Catalog catalog, Catalog.Generation loaded,
                         PlatterConfig empty) throws ConfigException {
        this.file = file == null ? null : file.toAbsolutePath().normalize();
        this.catalog = catalog;
        this.empty = empty;
        adopt(declared, loaded);
    }

    /** A daemon with the file {@code file} declaring {@code declared} and the catalog of {@code catalog}'s data directory. */
    public static ManagedConfig open(Path file, PlatterConfig declared, FileCatalog catalog)
            throws ConfigException, IOException {
        return new ManagedConfig(file, declared, catalog, catalog.load(), catalog.empty());
    }

    /** The operator's file, if the daemon runs with one. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The catalog generation the effective configuration holds. */
    public long generation() {
        return generation;
    }

    /** The effective configuration. */
    public PlatterConfig get() {
        return config;
    }

    /** What the operator's file declares. */
    public PlatterConfig declared() {
        return declared;
    }

    /** The catalog's part of {@code effective}. */
    public PlatterConfig catalogPart(PlatterConfig effective) {
        return Layers.catalogPart(declared, effective, empty);
    }

    /**
     * Commits {@code change(current)} to the catalog and makes it current; on failure nothing changes.
     * Refused (409) when the change touches an object declared in the file: the message names each
     * and says to edit the file and run {@code platter reload}.
     */
    public PlatterConfig update(UnaryOperator<PlatterConfig> change) {
        PlatterConfig next = change.apply(config);
        List<String> refused = Layers.declaredChanges(declared, file, next);
        if (!refused.isEmpty()) {
            throw ManagementException.conflict(String.join("; ", refused));
        }
        Catalog.Generation committed;
        try {
            committed = catalog.commit(generation, catalogPart(next));
        } catch (Catalog.StaleGenerationException e) {
            throw ManagementException.conflict(e.getMessage());
        } catch (IOException e) {
            throw ManagementException.failed("cannot commit to the catalog " + catalog.location() + ": "
                    + io.platter.config.PrivateFiles.reason(e) + "; nothing was changed");
        }
        generation = committed.number();
        config = next;
        LOG.info("catalog generation {} committed in {}", generation, catalog.location());
        return next;
    }

    /**
     * Refuses (409, as {@link #update} would) a change that touches an object declared in the
     * file, without committing anything: for a manager to call before it changes the running
     * daemon, so a refused change leaves no trace there either.
     */
    public void refuseDeclared(UnaryOperator<PlatterConfig> change) {
        List<String> refused = Layers.declaredChanges(declared, file, change.apply(config));
        if (!refused.isEmpty()) {
            throw ManagementException.conflict(String.join("; ", refused));
        }
    }

    /** Makes {@code loaded} current without committing (a reload applied it). */
    public void replace(PlatterConfig loaded) {
        config = loaded;
    }

    /**
     * Takes {@code newDeclared} and catalog generation {@code loaded} as the layers (after a reload
     * or restore applied them) and makes their merge current.
     *
     * @throws ConfigException when a name is in both layers; then nothing changes
     */
    public void adopt(PlatterConfig newDeclared, Catalog.Generation loaded) throws ConfigException {
        PlatterConfig merged = Layers.merge(newDeclared, file, loaded.objects(),
                catalog.location() + " (generation " + loaded.number() + ")");
        declared = newDeclared;
        generation = loaded.number();
        config = merged;
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

    /** {@code c} with the size of the LUN that maps {@code image} (if it has one) set to {@code size}. */
    static PlatterConfig withLunSize(PlatterConfig c, Path image, long size) {
        for (TargetConfig t : c.targets()) {
            for (LunConfig l : t.luns()) {
                if (l.image().equals(image) && l.hasSize()) {
                    return withLun(c, t.iqn(), new LunConfig(l.id(), l.image(), size, l.format(), l.provisioning()));
                }
            }
        }
        return c;
    }

    static PlatterConfig withoutLun(PlatterConfig c, String iqn, int id) {
        return c.withTargets(c.targets().stream().map(t -> t.iqn().equals(iqn)
                ? new TargetConfig(t.iqn(), t.alias(), t.luns().stream().filter(l -> l.id() != id).toList(),
                        t.chap(), t.acl())
                : t).toList());
    }
}

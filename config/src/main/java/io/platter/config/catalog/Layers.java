package io.platter.config.catalog;

import io.platter.config.ChapCredentials;
import io.platter.config.ConfigException;
import io.platter.config.ConfigProblem;
import io.platter.config.PlatterConfig;
import io.platter.config.SnapshotGroup;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The effective configuration as two layers: the objects DECLARED in the operator's file (with its
 * server settings) and the objects of the catalog. A name is in one layer only; a change through the
 * API may touch catalog objects only. One {@link Kind} per object section of {@link PlatterConfig}:
 * a new section (snapshot groups, ...) is one more row of {@link #KINDS}.
 */
public final class Layers {

    /**
     * One object section: how to list its objects, name one, and replace the list.
     *
     * @param noun  what an object is called in messages ("target")
     * @param where the section's key in the file, for clash messages
     */
    public record Kind<T>(String noun, String where, Function<PlatterConfig, List<T>> list,
                          Function<T, String> name, BiFunction<PlatterConfig, List<T>, PlatterConfig> with) {

        Map<String, T> byName(PlatterConfig c) {
            Map<String, T> out = new LinkedHashMap<>();
            for (T t : list.apply(c)) {
                out.put(name.apply(t), t);
            }
            return out;
        }
    }

    private static final Kind<TargetConfig> TARGETS = new Kind<>("target", "targets", PlatterConfig::targets,
            TargetConfig::iqn, PlatterConfig::withTargets);
    private static final Kind<VolumeConfig> VOLUMES = new Kind<>("volume", "volumes", PlatterConfig::volumes,
            VolumeConfig::name, PlatterConfig::withVolumes);
    private static final Kind<ChapCredentials> DISCOVERY_CHAP = new Kind<>("discovery CHAP", "server.discovery-chap",
            c -> c.server().discoveryChap() == null ? List.of() : List.of(c.server().discoveryChap()),
            chap -> "", (c, l) -> c.withDiscoveryChap(l.isEmpty() ? null : l.get(0)));

    private static final Kind<SnapshotGroup> SNAPSHOT_GROUPS = new Kind<>("snapshot group", "snapshot-groups",
            PlatterConfig::snapshotGroups, g -> g.group() + "@" + g.snapshot(), PlatterConfig::withSnapshotGroups);

    /** Every object section; checked for duplicates. */
    public static final List<Kind<?>> KINDS = List.of(TARGETS, VOLUMES, DISCOVERY_CHAP, SNAPSHOT_GROUPS);

    static {
        Set<String> seen = new HashSet<>();
        for (Kind<?> k : KINDS) {
            if (!seen.add(k.where())) {
                throw new ExceptionInInitializerError("duplicate object section " + k.where());
            }
        }
    }

    private Layers() {
    }

    /**
     * The effective configuration: {@code declared} (server settings and declared objects) with the
     * catalog's objects added after the declared ones.
     *
     * @param file    the operator's file, named in messages (null: no file)
     * @param catalog where the catalog objects come from, named in messages
     * @throws ConfigException listing every name both layers hold, with both places
     */
    public static PlatterConfig merge(PlatterConfig declared, Path file, PlatterConfig catalog, String catalogPlace)
            throws ConfigException {
        List<ConfigProblem> clashes = new ArrayList<>();
        PlatterConfig out = declared;
        for (Kind<?> k : KINDS) {
            out = mergeKind(k, out, declared, catalog, file, catalogPlace, clashes);
        }
        if (!clashes.isEmpty()) {
            throw new ConfigException(file != null ? file : Path.of(catalogPlace), clashes);
        }
        return withKnownMembers(out);
    }

    /** Snapshot groups keep only members that are volumes of {@code c} (a volume deleted by hand drops out). */
    private static PlatterConfig withKnownMembers(PlatterConfig c) {
        Set<String> known = new HashSet<>();
        c.volumes().forEach(v -> known.add(v.name()));
        List<SnapshotGroup> groups = new ArrayList<>();
        for (SnapshotGroup g : c.snapshotGroups()) {
            List<String> members = g.volumes().stream().filter(known::contains).toList();
            if (!members.isEmpty()) {
                groups.add(members.size() == g.volumes().size() ? g
                        : new SnapshotGroup(g.group(), g.snapshot(), members, g.created()));
            }
        }
        return groups.equals(c.snapshotGroups()) ? c : c.withSnapshotGroups(groups);
    }

    private static <T> PlatterConfig mergeKind(Kind<T> k, PlatterConfig into, PlatterConfig declared,
                                               PlatterConfig catalog, Path file, String catalogPlace,
                                               List<ConfigProblem> clashes) {
        Map<String, T> mine = k.byName(declared);
        List<T> all = new ArrayList<>(k.list().apply(declared));
        for (T t : k.list().apply(catalog)) {
            String name = k.name().apply(t);
            if (mine.containsKey(name)) {
                clashes.add(new ConfigProblem(k.where(), label(k, name) + " is declared in " + file
                        + " and also in the catalog " + catalogPlace + "; remove it from the file, or delete it"
                        + " through the CLI after starting without it"));
            } else {
                all.add(t);
            }
        }
        return k.with().apply(into, all);
    }

    /** The catalog's part of {@code effective}: every object whose name is not declared. */
    public static PlatterConfig catalogPart(PlatterConfig declared, PlatterConfig effective, PlatterConfig empty) {
        PlatterConfig out = empty;
        for (Kind<?> k : KINDS) {
            out = part(k, declared, effective, out);
        }
        return out;
    }

    private static <T> PlatterConfig part(Kind<T> k, PlatterConfig declared, PlatterConfig effective, PlatterConfig into) {
        Set<String> names = k.byName(declared).keySet();
        return k.with().apply(into, k.list().apply(effective).stream()
                .filter(t -> !names.contains(k.name().apply(t))).toList());
    }

    /**
     * Why {@code after} may not be committed: one message per declared object it changes or
     * removes (empty when it touches catalog objects only). Mapping a LUN into a declared target,
     * or changing its ACL or CHAP, changes that target.
     */
    public static List<String> declaredChanges(PlatterConfig declared, Path file, PlatterConfig after) {
        List<String> out = new ArrayList<>();
        for (Kind<?> k : KINDS) {
            changes(k, declared, file, after, out);
        }
        return out;
    }

    private static <T> void changes(Kind<T> k, PlatterConfig declared, Path file, PlatterConfig after,
                                    List<String> out) {
        Map<String, T> now = k.byName(after);
        for (Map.Entry<String, T> d : k.byName(declared).entrySet()) {
            T n = now.get(d.getKey());
            if (!Objects.equals(n, d.getValue())) {
                out.add(label(k, d.getKey()) + " is declared in " + file + ": edit the file and run `platter reload`"
                        + (n == null ? " (this would remove it)" : ""));
            }
        }
    }

    private static String label(Kind<?> k, String name) {
        return name.isEmpty() ? k.noun() : k.noun() + " " + name;
    }
}

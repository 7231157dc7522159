package io.platter.iscsi.session;

import io.platter.config.IscsiNames;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The targets this server exports, by iSCSI name (compared {@link IscsiNames#normalize normalized}: case-insensitive, RFC 7143 §4.2.7.2). */
public final class TargetRegistry {
    private final Map<String, ExportedTarget> byName = new ConcurrentHashMap<>();

    public TargetRegistry(List<ExportedTarget> targets) {
        targets.forEach(this::add);
    }

    public void add(ExportedTarget target) {
        if (byName.putIfAbsent(key(target.name()), target) != null) {
            throw new IllegalArgumentException("duplicate target " + target.name());
        }
    }

    /**
     * Exports {@code target} in place of the one of the same name, e.g. with another ACL or CHAP
     * credentials. Later logins see the new record; sessions logged in already keep theirs.
     *
     * @return {@code target}, or null when no target has that name (then nothing changes)
     */
    public ExportedTarget replace(ExportedTarget target) {
        return byName.computeIfPresent(key(target.name()), (k, old) -> target) == null ? null : target;
    }

    /** Stops exporting a target; returns it, or null when no target has that name. */
    public ExportedTarget remove(String name) {
        return byName.remove(key(name));
    }

    public ExportedTarget find(String name) {
        return name == null ? null : byName.get(key(name));
    }

    public List<ExportedTarget> all() {
        return byName.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    private static String key(String name) {
        return IscsiNames.normalize(name);
    }
}

package io.platter.config;

import io.platter.config.ConfigKey.Scope;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds the {@code snapshot-groups:} section: each entry is one snapshot of a group
 * ({@code group}, {@code snapshot}, {@code volumes}, {@code created} as ISO-8601). A member that
 * is no volume of the file (deleted by hand) is dropped with a warning, as deleting the volume
 * through the API drops it; an entry left without members is dropped.
 */
final class SnapshotGroupBinder {

    private SnapshotGroupBinder() {
    }

    /**
     * @param volumes the volumes members must be, or null to keep every member (a catalog's groups may
     *                name volumes the operator's file declares; {@code Layers.merge} prunes them then)
     */
    static List<SnapshotGroup> groups(Section file, List<VolumeConfig> volumes) {
        Set<String> known = volumes == null ? null : volumes.stream().map(VolumeConfig::name).collect(Collectors.toSet());
        List<SnapshotGroup> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (Section g : file.entries(ConfigKey.SNAPSHOT_GROUPS, Scope.SNAPSHOT_GROUP)) {
            String group = name(g, ConfigKey.SNAPSHOT_GROUP_NAME);
            String snapshot = name(g, ConfigKey.SNAPSHOT_GROUP_SNAPSHOT);
            Instant created = created(g);
            List<String> members = new ArrayList<>();
            for (Section.Item item : g.items(ConfigKey.SNAPSHOT_GROUP_VOLUMES)) {
                Object raw = item.value();
                String v = raw instanceof String || raw instanceof Number ? raw.toString() : "";
                if (!VolumeConfig.NAME.matcher(v).matches()) {
                    g.problemAt(item.where(), "expected a volume name, got "
                            + ConfigKey.SNAPSHOT_GROUP_VOLUMES.show(item.value()));
                } else if (members.contains(v)) {
                    g.problemAt(item.where(), "volume " + ConfigKey.SNAPSHOT_GROUP_VOLUMES.show(v) + " listed twice");
                } else if (known != null && !known.contains(v)) {
                    g.warn(ConfigKey.SNAPSHOT_GROUP_VOLUMES, "volume " + ConfigKey.SNAPSHOT_GROUP_VOLUMES.show(v)
                            + " is no volume any more; dropped from the group");
                } else {
                    members.add(v);
                }
            }
            if (group == null || snapshot == null || created == null) {
                continue;
            }
            String first = seen.putIfAbsent(group + "/" + snapshot, g.where());
            if (first != null) {
                g.problem(ConfigKey.SNAPSHOT_GROUP_SNAPSHOT, "snapshot " + snapshot + " of group " + group
                        + " is recorded twice (also " + first + ")");
            } else if (!members.isEmpty()) {
                out.add(new SnapshotGroup(group, snapshot, members, created));
            }
        }
        return out;
    }

    private static String name(Section g, ConfigKey key) {
        String text = g.text(key);
        if (text != null && !VolumeConfig.NAME.matcher(text).matches()) {
            g.problem(key, "bad name " + key.show(text) + " (1-64 letters, digits, '.', '_' or '-')");
            return null;
        }
        return text;
    }

    /** ISO-8601 text as written; an unquoted timestamp arrives as a YAML timestamp and is taken too. */
    private static Instant created(Section g) {
        Object raw = g.scalar(ConfigKey.SNAPSHOT_GROUP_CREATED);
        if (raw instanceof Date d) {
            return d.toInstant();
        }
        String text = g.text(ConfigKey.SNAPSHOT_GROUP_CREATED);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            g.problem(ConfigKey.SNAPSHOT_GROUP_CREATED, "expected an ISO-8601 instant such as 2026-12-07T10:15:30Z, got "
                    + ConfigKey.SNAPSHOT_GROUP_CREATED.show(text));
            return null;
        }
    }
}

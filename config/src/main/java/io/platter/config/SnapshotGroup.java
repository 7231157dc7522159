package io.platter.config;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot taken of several volumes at one crash-consistent instant under a group name
 * ({@code platter snapshot create --group G V1 V2 NAME}): each member volume holds an internal
 * snapshot {@code snapshot}; this record remembers which volumes belong together, so the group
 * can be listed, reverted and deleted as one.
 *
 * @param group    the group's name, {@link VolumeConfig#NAME}
 * @param snapshot the snapshot's name in every member, {@link VolumeConfig#NAME}
 * @param volumes  the member volumes, distinct, in the order given; never empty
 * @param created  when the snapshots were taken
 */
public record SnapshotGroup(String group, String snapshot, List<String> volumes, Instant created) {

    public SnapshotGroup {
        requireName("group", group);
        requireName("snapshot", snapshot);
        volumes = List.copyOf(volumes);
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("snapshot group " + group + "/" + snapshot + " has no volumes");
        }
        if (new HashSet<>(volumes).size() != volumes.size()) {
            throw new IllegalArgumentException("snapshot group " + group + "/" + snapshot + " names a volume twice");
        }
        volumes.forEach(v -> requireName("volume", v));
        Objects.requireNonNull(created, "created");
    }

    private static void requireName(String what, String name) {
        if (!VolumeConfig.NAME.matcher(Objects.requireNonNull(name, what)).matches()) {
            throw new IllegalArgumentException("bad " + what + " name \"" + name
                    + "\": use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    /** Whether this is snapshot {@code name} of group {@code groupName}. */
    public boolean is(String groupName, String name) {
        return group.equals(groupName) && snapshot.equals(name);
    }

    /** This record without member {@code volume}; null when that was its last member. */
    public SnapshotGroup withoutVolume(String volume) {
        List<String> rest = volumes.stream().filter(v -> !v.equals(volume)).toList();
        return rest.isEmpty() ? null : new SnapshotGroup(group, snapshot, rest, created);
    }
}

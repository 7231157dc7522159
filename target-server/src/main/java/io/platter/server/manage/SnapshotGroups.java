package io.platter.server.manage;

import io.platter.config.PlatterConfig;
import io.platter.config.SnapshotGroup;
import io.platter.config.VolumeConfig;
import io.platter.lun.BlockDevice;
import io.platter.lun.image.ImageDrivers;
import io.platter.lun.image.ImageSnapshots;
import io.platter.scsi.LogicalUnit;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import io.platter.server.ImageTypes;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot groups (qcow2.txt "Snapshots" in several images at one instant): {@code snapshot create
 * --group G V1 V2 NAME} takes NAME in every volume at one crash-consistent instant and records a
 * {@link SnapshotGroup} in the configuration; the group is then listed, reverted and deleted as
 * one. A revert checks every member before it touches any (all or nothing), then replaces the
 * contents of every member while all of them are fenced, so no initiator sees one member reverted
 * and another not.
 *
 * <p>Thread-safety: called by {@link SnapshotManager} under the monitor of the {@link ManagedConfig}.
 */
final class SnapshotGroups {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotGroups.class);

    private final VolumeManager volumes;
    private final Daemon daemon;
    private final ManagedConfig config;
    private final Duration abortWait;

    SnapshotGroups(VolumeManager volumes, ManagedConfig config, Duration abortWait) {
        this.volumes = volumes;
        this.daemon = volumes.daemon();
        this.config = config;
        this.abortWait = abortWait;
    }

    /** A member volume with its image's snapshot view (the live device when mapped). */
    private record Member(VolumeConfig volume, ImageSnapshots image, MappedLun live) {
    }

    /** Opens every member: the live device of a mapped one, else the image, added to {@code opened}. */
    private List<Member> open(List<String> names, List<BlockDevice> opened) throws IOException {
        List<Member> out = new ArrayList<>();
        for (String name : names) {
            VolumeConfig v = volumes.volume(name);
            if (!ImageTypes.driver(v).hasSnapshots()) {
                throw ManagementException.badRequest("volume " + name + " is " + v.format().word()
                        + "; snapshots need a qcow2 volume");
            }
            if (v.template()) {
                throw ManagementException.conflict("volume " + name + " is a read-only template");
            }
            MappedLun live = daemon.mappedImage(v.image());
            BlockDevice device;
            if (live != null) {
                device = live.device();
            } else {
                device = volumes.open(v, false);
                opened.add(device);
            }
            ImageSnapshots image = ImageDrivers.snapshots(device).orElseThrow(() ->
                    ManagementException.failed("volume " + name + ": its image offers no snapshots"));
            out.add(new Member(v, image, live));
        }
        return out;
    }

    private static void close(List<BlockDevice> opened) {
        for (BlockDevice d : opened) {
            try {
                d.close();
            } catch (IOException e) {
                LOG.warn("cannot close {}: {}", d, e.getMessage());
            }
        }
    }

    /** Takes and records snapshot {@code name} of group {@code group}; see {@link SnapshotManager#snapshotCreateGroup}. */
    Views.GroupSnapshot create(String group, List<String> names, String name) {
        SnapshotManager.requireSnapshotName(name);
        if (group == null || !VolumeConfig.NAME.matcher(group).matches()) {
            throw ManagementException.badRequest("bad group name \"" + group
                    + "\": use 1-64 letters, digits, '.', '_' or '-'");
        }
        if (names.isEmpty() || names.stream().distinct().count() != names.size()) {
            throw ManagementException.badRequest("a group snapshot needs distinct volumes");
        }
        if (config.get().snapshotGroup(group, name).isPresent()) {
            throw ManagementException.conflict("group " + group + " already has a snapshot " + name);
        }
        List<BlockDevice> opened = new ArrayList<>();
        try {
            List<Member> members = open(names, opened);
            for (Member m : members) {
                if (m.image().snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                    throw ManagementException.conflict("volume " + m.volume().name() + " already has a snapshot " + name);
                }
            }
            long start = System.nanoTime();
            ImageDrivers.createSnapshotGroup(members.stream().map(Member::image).toList(), name);
            long pauseMillis = (System.nanoTime() - start) / 1_000_000;
            SnapshotGroup record = new SnapshotGroup(group, name, names, Instant.now());
            try {
                config.update(c -> c.withSnapshotGroups(append(c.snapshotGroups(), record)));
            } catch (RuntimeException e) {
                for (Member m : members) {
                    try {
                        m.image().deleteSnapshot(name);
                    } catch (IOException | RuntimeException undo) {
                        e.addSuppressed(undo);
                    }
                }
                throw e;
            }
            LOG.info("group {}: snapshot {} of {} taken; writes paused {} ms", group, name, String.join(", ", names),
                    pauseMillis);
            return new Views.GroupSnapshot(group, name, List.copyOf(names), pauseMillis);
        } catch (IOException e) {
            throw ManagementException.conflict("group " + group + ": no snapshot taken: " + e.getMessage());
        } finally {
            close(opened);
        }
    }

    /** The recorded group snapshots, of {@code group} only when given, by group then time. */
    List<Views.SnapshotGroupEntry> list(String group) {
        List<Views.SnapshotGroupEntry> out = config.get().snapshotGroups().stream()
                .filter(g -> group == null || g.group().equals(group))
                .sorted(Comparator.comparing(SnapshotGroup::group).thenComparing(SnapshotGroup::created))
                .map(g -> new Views.SnapshotGroupEntry(g.group(), g.snapshot(), g.volumes(), g.created().toString()))
                .toList();
        if (group != null && out.isEmpty()) {
            throw ManagementException.notFound("no snapshot group " + group + " (see platter snapshot list --group)");
        }
        return out;
    }

    /**
     * Reverts every member of snapshot {@code name} of {@code group}. Before touching any: every
     * member must exist, be a writable qcow2 volume, hold the snapshot, and (without
     * {@code force}) have no initiator logged in to its target. Then every mapped member's unit
     * aborts its tasks and closes its medium fence, one inside the other, and the images are
     * reverted while all are fenced; each unit then resets and reports the capacity when the
     * snapshot's size differs ({@link LogicalUnit#replaceContents}).
     */
    Views.Done revert(String group, String name, boolean force) {
        SnapshotGroup record = require(group, name);
        List<BlockDevice> opened = new ArrayList<>();
        try {
            List<Member> members = open(record.volumes(), opened);
            for (Member m : members) {
                SnapshotManager.requireSnapshot(m.volume().name(), m.image(), name);
                Mapping mapping = config.mappingOf(m.volume().image()).orElse(null);
                int sessions = mapping == null ? 0 : daemon.sessions(mapping.iqn()).size();
                if (sessions > 0 && !force) {
                    throw ManagementException.conflict("member " + m.volume().name() + " is LUN " + mapping.lun().id()
                            + " of " + mapping.iqn() + " with " + sessions + " session(s) logged in; log them out or"
                            + " use --force; nothing was reverted");
                }
            }
            revertFenced(members, 0, name);
            for (Member m : members) {
                volumes.recordSize(m.volume(), m.image().size());
            }
        } catch (ManagementException e) {
            throw e;
        } catch (LogicalUnit.TasksNotAborted e) {
            throw ManagementException.failed(e.getMessage() + "; nothing was reverted");
        } catch (Exception e) {
            throw ManagementException.conflict("group " + group + ": cannot revert to " + name + ": " + e.getMessage());
        } finally {
            close(opened);
        }
        LOG.info("group {} reverted to snapshot {} ({})", group, name, String.join(", ", record.volumes()));
        return new Views.Done("group " + group + " (" + String.join(", ", record.volumes())
                + ") reverted to snapshot " + name);
    }

    /** Fences the mapped members from {@code from} on, one inside the other, then reverts every image. */
    private void revertFenced(List<Member> members, int from, String name) throws Exception {
        if (from == members.size()) {
            for (Member m : members) {
                m.image().revertSnapshot(name);
            }
            return;
        }
        MappedLun live = members.get(from).live();
        if (live == null) {
            revertFenced(members, from + 1, name);
        } else {
            live.unit().<Exception>replaceContents(() -> revertFenced(members, from + 1, name), abortWait);
        }
    }

    /**
     * Deletes snapshot {@code name} in every member that still holds it, then the record. A
     * member that fails keeps the record (naming only the members still holding it).
     */
    Views.Done delete(String group, String name) {
        SnapshotGroup record = require(group, name);
        List<BlockDevice> opened = new ArrayList<>();
        List<String> left = new ArrayList<>(record.volumes());
        try {
            List<Member> members = open(record.volumes(), opened);
            for (Member m : members) {
                if (m.image().snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                    m.image().deleteSnapshot(name);
                }
                left.remove(m.volume().name());
            }
        } catch (IOException | RuntimeException e) {
            SnapshotGroup rest = left.isEmpty() ? null : new SnapshotGroup(group, name, left, record.created());
            config.update(c -> c.withSnapshotGroups(replace(c.snapshotGroups(), record, rest)));
            String why = e instanceof ManagementException me ? me.getMessage() : e.toString();
            throw ManagementException.conflict("group " + group + ": snapshot " + name + " not deleted in "
                    + String.join(", ", left) + ": " + why);
        } finally {
            close(opened);
        }
        config.update(c -> c.withSnapshotGroups(replace(c.snapshotGroups(), record, null)));
        LOG.info("group {}: snapshot {} deleted in {}", group, name, String.join(", ", record.volumes()));
        return new Views.Done("snapshot " + name + " of group " + group + " deleted (" + String.join(", ",
                record.volumes()) + ")");
    }

    /** The group record that holds {@code volume}'s snapshot {@code name}, if any. */
    java.util.Optional<SnapshotGroup> groupOf(String volume, String name) {
        return config.get().snapshotGroups().stream()
                .filter(g -> g.snapshot().equals(name) && g.volumes().contains(volume)).findFirst();
    }

    private SnapshotGroup require(String group, String name) {
        return config.get().snapshotGroup(group, name).orElseThrow(() -> ManagementException.notFound(
                "group " + group + " has no snapshot " + name + " (see platter snapshot list --group " + group + ")"));
    }

    /** {@code c} without volume {@code name} in its snapshot groups (a record left empty goes). */
    static PlatterConfig withoutMember(PlatterConfig c, String name) {
        if (c.snapshotGroups().stream().noneMatch(g -> g.volumes().contains(name))) {
            return c;
        }
        List<SnapshotGroup> next = new ArrayList<>();
        for (SnapshotGroup g : c.snapshotGroups()) {
            SnapshotGroup kept = g.volumes().contains(name) ? g.withoutVolume(name) : g;
            if (kept != null) {
                next.add(kept);
            }
        }
        return c.withSnapshotGroups(next);
    }

    private static List<SnapshotGroup> append(List<SnapshotGroup> groups, SnapshotGroup g) {
        List<SnapshotGroup> next = new ArrayList<>(groups);
        next.add(g);
        return next;
    }

    private static List<SnapshotGroup> replace(List<SnapshotGroup> groups, SnapshotGroup old, SnapshotGroup with) {
        List<SnapshotGroup> next = new ArrayList<>();
        for (SnapshotGroup g : groups) {
            if (!g.is(old.group(), old.snapshot())) {
                next.add(g);
            } else if (with != null) {
                next.add(with);
            }
        }
        return next;
    }
}

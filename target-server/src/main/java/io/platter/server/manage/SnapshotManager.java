package io.platter.server.manage;

import io.platter.config.PlatterConfig;
import io.platter.config.VolumeConfig;
import io.platter.lun.image.ImageSnapshots;
import io.platter.lun.image.SnapshotInfo;
import io.platter.scsi.ItNexus;
import io.platter.scsi.LogicalUnit;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal snapshots of qcow2 volumes (qcow2.txt "Snapshots"), one volume or a group at one
 * instant, on the running daemon: take, list, revert, delete. Each operation either completes
 * or changes nothing.
 *
 * <p>Thread-safety: every public method holds the monitor of the {@link ManagedConfig}, as
 * {@link VolumeManager}'s do.
 */
public final class SnapshotManager {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotManager.class);
    /** How long a forced revert waits for the aborted tasks of its LUN before it gives up. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(10);

    private final VolumeManager volumes;
    private final Daemon daemon;
    private final ManagedConfig config;
    private final SnapshotGroups groups;

    public SnapshotManager(VolumeManager volumes, ManagedConfig config) {
        this.volumes = volumes;
        this.daemon = volumes.daemon();
        this.config = config;
        this.groups = new SnapshotGroups(volumes, config, ABORT_WAIT);
    }

    /**
     * Takes an internal snapshot, online. The image's write lock is the quiesce point: writes in
     * flight finish, new ones wait, the snapshot is taken, writes resume, so the snapshot holds
     * every write acknowledged before it (crash-consistent).
     */
    public Views.Snapshot snapshotCreate(String volume, String name) {
        synchronized (config) {
            requireSnapshotName(name);
            return volumes.withQcow2(volume, image -> {
                if (image.snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                    throw ManagementException.conflict("volume " + volume + " already has a snapshot " + name);
                }
                long start = System.nanoTime();
                SnapshotInfo s = image.createSnapshot(name);
                LOG.info("volume {}: snapshot {} taken in {} ms", volume, name, (System.nanoTime() - start) / 1_000_000);
                return snapshotView(s);
            });
        }
    }

    public List<Views.Snapshot> snapshotList(String volume) {
        synchronized (config) {
            return volumes.withQcow2(volume,
                    image -> image.snapshots().stream().map(SnapshotManager::snapshotView).toList());
        }
    }

    /**
     * Reverts a volume to a snapshot. Refused while initiators are logged in to its target unless
     * {@code force}. A forced revert replaces the medium under connected initiators, so it does
     * to the unit what a LOGICAL UNIT RESET does (SAM-5 §7.7): tasks in flight on the LUN are
     * aborted first (no status, TAS=0), the SPC-2 reservation is released and every I_T nexus gets
     * POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h, SPC-5 Table of ASC/ASCQ) on its next
     * command, plus CAPACITY DATA HAS CHANGED when the snapshot's size differs. Not REPORTED LUNS
     * DATA HAS CHANGED: the LUN inventory is the same (SPC-5 §6.33), and not NOT READY TO READY
     * CHANGE, MEDIUM MAY HAVE CHANGED: that is for removable media and the unit reports RMB=0.
     * Persistent reservations survive, as they survive a reset. A write an aborted task had
     * already handed to the I/O executor does not land on the reverted image: the revert runs
     * behind the unit's medium fence, which waits for running writes and refuses older ones. The
     * unit does all of it ({@link LogicalUnit#replaceContents}); this class only asks.
     */
    public Views.Done snapshotRevert(String volume, String name, boolean force) {
        synchronized (config) {
            VolumeConfig v = volumes.volume(volume);
            Mapping m = config.mappingOf(v.image()).orElse(null);
            if (m != null) {
                InUse.require(daemon, m.iqn(), force, "reverting volume " + volume + " (LUN " + m.lun().id() + " of "
                        + m.iqn() + ")");
            }
            MappedLun live = daemon.mappedImage(v.image());
            long size = volumes.withQcow2(volume, image -> {
                requireSnapshot(volume, image, name);
                if (live == null) {
                    image.revertSnapshot(name);
                    return image.size();
                }
                try {
                    Set<ItNexus> lost = live.unit().replaceContents(() -> image.revertSnapshot(name), ABORT_WAIT);
                    if (!lost.isEmpty()) {
                        LOG.info("LUN {} of {}: tasks of {} I_T nexus(es) aborted for a revert", live.lun(),
                                live.iqn(), lost.size());
                    }
                } catch (LogicalUnit.TasksNotAborted e) {
                    throw ManagementException.failed(e.getMessage() + "; nothing was reverted");
                }
                return image.size();
            });
            volumes.recordSize(v, size); // a snapshot taken before a resize brings its own size back
            LOG.info("volume {} reverted to snapshot {}", volume, name);
            return new Views.Done("volume " + volume + " reverted to snapshot " + name);
        }
    }

    /** Deletes one volume's snapshot; one that belongs to a group goes with its group ({@code --group}). */
    public Views.Done snapshotDelete(String volume, String name) {
        synchronized (config) {
            groups.groupOf(volume, name).ifPresent(g -> {
                throw ManagementException.conflict("snapshot " + name + " of " + volume + " belongs to group " + g.group()
                        + " (" + String.join(", ", g.volumes()) + "); delete it with platter snapshot delete --group "
                        + g.group() + " " + name);
            });
            volumes.withQcow2(volume, image -> {
                requireSnapshot(volume, image, name);
                image.deleteSnapshot(name);
                return null;
            });
            LOG.info("volume {}: snapshot {} deleted", volume, name);
            return new Views.Done("snapshot " + name + " of " + volume + " deleted");
        }
    }

    static void requireSnapshot(String volume, ImageSnapshots image, String name) {
        if (image.snapshots().stream().noneMatch(s -> s.name().equals(name))) {
            throw ManagementException.notFound("volume " + volume + " has no snapshot " + name
                    + " (see platter snapshot list " + volume + ")");
        }
    }

    static void requireSnapshotName(String name) {
        if (name == null || !VolumeConfig.NAME.matcher(name).matches()) {
            throw ManagementException.badRequest("bad snapshot name \"" + name
                    + "\": use 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    private static Views.Snapshot snapshotView(SnapshotInfo s) {
        return new Views.Snapshot(s.id(), s.name(), s.dateSeconds(), s.diskSize());
    }

    /**
     * Takes snapshot {@code name} of several qcow2 volumes at one crash-consistent instant: writes
     * to all of them pause (their images' write locks, taken in path order), each is snapshotted,
     * writes resume; the group is recorded in the configuration ({@code snapshot-groups:}). If one
     * fails, the snapshots already taken are deleted. The pause is logged.
     */
    public Views.GroupSnapshot snapshotCreateGroup(String group, List<String> volumes, String name) {
        synchronized (config) {
            return groups.create(group, volumes, name);
        }
    }

    /** The recorded group snapshots, of {@code group} only when not null. */
    public List<Views.SnapshotGroupEntry> snapshotListGroups(String group) {
        synchronized (config) {
            return groups.list(group);
        }
    }

    /** Reverts every member of a group snapshot at one instant, all or nothing ({@link SnapshotGroups#revert}). */
    public Views.Done snapshotRevertGroup(String group, String name, boolean force) {
        synchronized (config) {
            return groups.revert(group, name, force);
        }
    }

    /** Deletes a group snapshot in every member and its record. */
    public Views.Done snapshotDeleteGroup(String group, String name) {
        synchronized (config) {
            return groups.delete(group, name);
        }
    }

    /** {@code c} without volume {@code name} in its snapshot groups (a deleted volume leaves its groups). */
    static PlatterConfig withoutMember(PlatterConfig c, String name) {
        return SnapshotGroups.withoutMember(c, name);
    }
}

package io.platter.server.manage;

import io.platter.config.ChapCredentials;
import io.platter.config.IscsiNames;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targets and LUN mappings on the running daemon. Mapping and unmapping raise REPORTED LUNS DATA
 * HAS CHANGED for the target's other LUNs (the SCSI target does it). Same locking as
 * {@link VolumeManager}: the monitor of the {@link ManagedConfig}.
 */
public final class TargetManager {
    private static final Logger LOG = LoggerFactory.getLogger(TargetManager.class);

    private final Daemon daemon;
    private final ManagedConfig config;
    private final VolumeManager volumes;

    public TargetManager(Daemon daemon, ManagedConfig config, VolumeManager volumes) {
        this.daemon = daemon;
        this.config = config;
        this.volumes = volumes;
    }

    public Views.Target create(String iqn, String alias) {
        synchronized (config) {
            String problem = iqn == null ? "missing" : IscsiNames.problem(iqn).orElse(null);
            if (problem != null) {
                throw ManagementException.badRequest("bad iSCSI name \"" + iqn + "\": " + problem);
            }
            String name = IscsiNames.normalize(iqn);
            if (config.get().target(name).isPresent()) {
                throw ManagementException.conflict("target " + name + " exists already");
            }
            TargetConfig t = new TargetConfig(name, alias, List.of());
            daemon.addTarget(t);
            try {
                config.update(c -> {
                    List<TargetConfig> targets = new ArrayList<>(c.targets());
                    targets.add(t);
                    return c.withTargets(targets);
                });
            } catch (RuntimeException e) {
                daemon.removeTarget(name);
                throw e;
            }
            return view(t);
        }
    }

    /**
     * Deletes a target; one with LUNs or sessions only with {@code force} (sessions are closed,
     * LUNs unmapped). The session rule is {@link #requireUnused}'s.
     */
    public Views.Done delete(String iqn, boolean force) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            if (!t.luns().isEmpty() && !force) {
                throw ManagementException.conflict("target " + t.iqn() + " has " + t.luns().size()
                        + " LUN(s); unmap them first or add --force");
            }
            requireUnused(t.iqn(), -1, force);
            config.update(c -> c.withTargets(c.targets().stream().filter(x -> !x.iqn().equals(t.iqn())).toList()));
            daemon.removeTarget(t.iqn());
            return new Views.Done("target " + t.iqn() + " deleted");
        }
    }

    /**
     * The rule for taking LUN {@code lun} (or, for -1, the whole target) away from target
     * {@code iqn}: refused while sessions are logged in to it, naming them, unless {@code force}
     * (issue 15 item 6). Used by unmap, target delete, reload, volume delete and snapshot revert.
     *
     * @throws ManagementException conflict naming the sessions and saying to add --force
     */
    public void requireUnused(String iqn, int lun, boolean force) {
        InUse.require(daemon, iqn, force, lun < 0 ? "removing target " + iqn : "removing LUN " + lun + " of " + iqn);
    }

    public List<Views.Target> list() {
        synchronized (config) {
            return config.get().targets().stream().map(this::view).toList();
        }
    }

    /** One target in full: alias, CHAP mode (never a secret), ACL, LUNs, portals and sessions. */
    public Views.TargetDetail show(String iqn) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            List<String> portals = daemon.addresses().stream()
                    .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).sorted().toList();
            return new Views.TargetDetail(t.iqn(), t.alias(), ChapCredentials.mode(t.chap()),
                    t.chap() == null ? null : t.chap().user(), t.acl().stream().sorted().toList(), entries(t),
                    portals, daemon.sessions(t.iqn()).size());
        }
    }

    /** Every LUN, or those of target {@code iqn} (null for all); sorted by target, then LUN. */
    public List<Views.LunEntry> lunList(String iqn) {
        synchronized (config) {
            List<TargetConfig> targets = iqn == null ? config.get().targets() : List.of(target(iqn));
            return targets.stream().sorted(Comparator.comparing(TargetConfig::iqn))
                    .flatMap(t -> entries(t).stream()).toList();
        }
    }

    /** The LUNs of {@code t}, sorted; the size and state of the one serving when it is open. */
    private List<Views.LunEntry> entries(TargetConfig t) {
        return t.luns().stream().sorted(Comparator.comparingInt(LunConfig::id)).map(l -> {
            MappedLun live = daemon.mappedImage(l.image());
            boolean serving = live != null && live.lun() == l.id() && IscsiNames.same(live.iqn(), t.iqn());
            long size = serving && !live.offline() ? live.device().size() : l.hasSize() ? l.sizeBytes() : -1;
            return new Views.LunEntry(t.iqn(), l.id(), config.volumeOfImage(l.image()).map(VolumeConfig::name)
                    .orElse(null), l.image().toString(), size, serving ? OfflineReport.state(live) : "unmapped",
                    serving ? live.offlineReason() : null);
        }).toList();
    }

    /** Maps a volume into a target; lun -1 picks the lowest free LUN. */
    public Views.Lun map(String iqn, String volume, int lun) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            VolumeConfig v = volumes.volume(volume);
            long size = volumes.view(v).sizeBytes();
            LunConfig l = volumes.lunFor(t.iqn(), lun, v, Math.max(0, size));
            config.refuseDeclared(c -> ManagedConfig.withLun(c, t.iqn(), l)); // no REPORTED LUNS DATA HAS CHANGED
            try {
                daemon.mapLun(t.iqn(), l, v.name());
            } catch (IOException | RuntimeException e) {
                throw ManagementException.failed("cannot map " + volume + ": " + e.getMessage());
            }
            try {
                config.update(c -> ManagedConfig.withLun(c, t.iqn(), l));
            } catch (RuntimeException e) {
                daemon.unmapLun(t.iqn(), l.id());
                throw e;
            }
            LOG.info("volume {} mapped as LUN {} of {}", volume, l.id(), t.iqn());
            return new Views.Lun(l.id(), volume, l.image().toString(), size, "online", null);
        }
    }

    /**
     * Unmaps a LUN; while sessions are logged in to the target only with {@code force}. The
     * target raises REPORTED LUNS DATA HAS CHANGED on its other LUNs for every I_T nexus.
     */
    public Views.Done unmap(String iqn, int lun, boolean force) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            if (t.luns().stream().noneMatch(l -> l.id() == lun)) {
                throw ManagementException.notFound("target " + t.iqn() + " has no LUN " + lun);
            }
            requireUnused(t.iqn(), lun, force);
            config.update(c -> ManagedConfig.withoutLun(c, t.iqn(), lun));
            daemon.unmapLun(t.iqn(), lun);
            return new Views.Done("LUN " + lun + " of " + t.iqn() + " unmapped");
        }
    }

    /** Every session, by target (discovery last) and TSIH, with its connections. */
    public List<Views.Session> sessions() {
        return Sessions.list(daemon);
    }

    /**
     * Asks one session to log out (Async Message, RFC 7143 §11.9.1) and drops it when it has not
     * within {@code seconds}; see {@link Sessions#logout}.
     */
    public Views.Done logout(int tsih, String initiator, String isid, String target, int seconds) {
        return Sessions.logout(daemon, tsih, initiator, isid, target, seconds);
    }

    /**
     * Re-reads the config file and applies the difference to targets and LUNs: removed targets
     * and LUNs go, new ones come, changed LUNs are remapped, changed ACLs, CHAP credentials (also
     * discovery's) and aliases apply to later logins; sessions of targets that stay are kept.
     */
    public Views.Done reload(PlatterConfig fresh, boolean force) {
        synchronized (config) {
            PlatterConfig old = config.get();
            requireUnusedByReload(old, fresh, force);
            int changes = 0;
            for (TargetConfig t : old.targets()) {
                TargetConfig n = fresh.target(t.iqn()).orElse(null);
                if (n == null) {
                    daemon.removeTarget(t.iqn());
                    changes++;
                    continue;
                }
                if (!Objects.equals(n.chap(), t.chap()) || !n.acl().equals(t.acl())
                        || !Objects.equals(n.alias(), t.alias())) {
                    // Later logins see the new alias, ACL and CHAP; logged-in sessions stay.
                    daemon.reconfigureTarget(n);
                    changes++;
                }
                for (LunConfig l : t.luns()) {
                    if (!n.luns().contains(l)) {
                        daemon.unmapLun(t.iqn(), l.id());
                        changes++;
                    }
                }
            }
            if (!Objects.equals(fresh.server().discoveryChap(), old.server().discoveryChap())) {
                daemon.discoveryChap(fresh.server().discoveryChap());
                changes++;
            }
            List<String> failures = new ArrayList<>();
            for (TargetConfig n : fresh.targets()) {
                TargetConfig t = daemon.targets().stream().anyMatch(x -> x.name().equals(n.iqn()))
                        ? old.target(n.iqn()).orElse(null) : null;
                if (t == null) {
                    daemon.addTarget(n);
                    changes++;
                }
                for (LunConfig l : n.luns()) {
                    if (t == null || !t.luns().contains(l)) {
                        try {
                            daemon.mapLunOrOffline(n.iqn(), l); // an unopenable image: offline, retried by reload
                            changes++;
                        } catch (RuntimeException e) {
                            failures.add("LUN " + l.id() + " of " + n.iqn() + ": " + e.getMessage());
                        }
                    }
                }
            }
            config.replace(fresh.withVolumes(fresh.volumes()));
            if (!failures.isEmpty()) {
                throw ManagementException.failed("reloaded with errors: " + String.join("; ", failures));
            }
            LOG.info("configuration reloaded: {} change(s)", changes);
            return new Views.Done("reloaded: " + changes + " change(s)");
        }
    }

    /**
     * Refuses, before anything changes, a reload that removes (or remaps) a LUN or removes a
     * target that sessions are logged in to, naming every one, unless {@code force}.
     */
    private void requireUnusedByReload(PlatterConfig old, PlatterConfig fresh, boolean force) {
        List<String> problems = new ArrayList<>();
        for (TargetConfig t : old.targets()) {
            TargetConfig n = fresh.target(t.iqn()).orElse(null);
            if (n == null) {
                problems.add(InUse.problem(daemon, t.iqn(), force, "removing target " + t.iqn()));
                continue;
            }
            for (LunConfig l : t.luns()) {
                if (!n.luns().contains(l)) {
                    boolean replaced = n.luns().stream().anyMatch(x -> x.id() == l.id());
                    problems.add(InUse.problem(daemon, t.iqn(), force,
                            (replaced ? "replacing LUN " : "removing LUN ") + l.id() + " of " + t.iqn()));
                }
            }
        }
        problems.removeIf(Objects::isNull);
        if (!problems.isEmpty()) {
            throw ManagementException.conflict("nothing was reloaded: " + String.join("; ", problems) + "; "
                    + InUse.ADVICE.replace("--force", "--force (platter reload --force)"));
        }
    }

    private TargetConfig target(String iqn) {
        return config.get().target(Objects.requireNonNullElse(iqn, "")).orElseThrow(() ->
                ManagementException.notFound("no target " + iqn + " (see platter target list)"));
    }

    private Views.Target view(TargetConfig t) {
        List<Views.Lun> luns = new ArrayList<>();
        for (LunConfig l : t.luns().stream().sorted(Comparator.comparingInt(LunConfig::id)).toList()) {
            MappedLun live = daemon.mappedImage(l.image());
            luns.add(new Views.Lun(l.id(), config.volumeOfImage(l.image()).map(VolumeConfig::name).orElse(null),
                    l.image().toString(), live == null || live.offline() ? l.sizeBytes() : live.device().size(),
                    OfflineReport.state(live), live == null ? null : live.offlineReason()));
        }
        return new Views.Target(t.iqn(), t.alias(), luns, daemon.sessions(t.iqn()).size(),
                ChapCredentials.mode(t.chap()), t.chap() == null ? null : t.chap().user(), t.acl());
    }
}

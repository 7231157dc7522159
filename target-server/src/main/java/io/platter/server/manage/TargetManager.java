package io.platter.server.manage;

import io.platter.config.ChapCredentials;
import io.platter.config.IscsiNames;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.iscsi.session.Session;
import io.platter.server.Daemon;
import io.platter.server.Daemon.MappedLun;
import java.io.IOException;
import java.util.ArrayList;
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

    /** Deletes a target; one with LUNs or sessions only with {@code force} (sessions are closed, LUNs unmapped). */
    public Views.Done delete(String iqn, boolean force) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            int sessions = daemon.sessions(t.iqn()).size();
            if ((!t.luns().isEmpty() || sessions > 0) && !force) {
                throw ManagementException.conflict("target " + t.iqn() + " has " + t.luns().size() + " LUN(s) and "
                        + sessions + " session(s); unmap and log out first or use --force");
            }
            config.update(c -> c.withTargets(c.targets().stream().filter(x -> !x.iqn().equals(t.iqn())).toList()));
            daemon.removeTarget(t.iqn());
            return new Views.Done("target " + t.iqn() + " deleted");
        }
    }

    public List<Views.Target> list() {
        synchronized (config) {
            return config.get().targets().stream().map(this::view).toList();
        }
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
                daemon.mapLun(t.iqn(), l);
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
            return new Views.Lun(l.id(), volume, l.image().toString(), size);
        }
    }

    public Views.Done unmap(String iqn, int lun) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            if (t.luns().stream().noneMatch(l -> l.id() == lun)) {
                throw ManagementException.notFound("target " + t.iqn() + " has no LUN " + lun);
            }
            config.update(c -> ManagedConfig.withoutLun(c, t.iqn(), lun));
            daemon.unmapLun(t.iqn(), lun);
            return new Views.Done("LUN " + lun + " of " + t.iqn() + " unmapped");
        }
    }

    public List<Views.Session> sessions() {
        return daemon.sessions(null).stream().map(TargetManager::view).toList();
    }

    /**
     * Re-reads the config file and applies the difference to targets and LUNs: removed targets
     * and LUNs go, new ones come, changed LUNs are remapped, changed ACLs, CHAP credentials (also
     * discovery's) and aliases apply to later logins; sessions of targets that stay are kept.
     */
    public Views.Done reload(PlatterConfig fresh) {
        synchronized (config) {
            PlatterConfig old = config.get();
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
                            daemon.mapLun(n.iqn(), l);
                            changes++;
                        } catch (IOException | RuntimeException e) {
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

    private TargetConfig target(String iqn) {
        return config.get().target(Objects.requireNonNullElse(iqn, "")).orElseThrow(() ->
                ManagementException.notFound("no target " + iqn + " (see platter target list)"));
    }

    private Views.Target view(TargetConfig t) {
        List<Views.Lun> luns = new ArrayList<>();
        for (LunConfig l : t.luns()) {
            MappedLun live = daemon.mappedImage(l.image());
            luns.add(new Views.Lun(l.id(), config.volumeOfImage(l.image()).map(VolumeConfig::name).orElse(null),
                    l.image().toString(), live == null ? l.sizeBytes() : live.device().size()));
        }
        return new Views.Target(t.iqn(), t.alias(), luns, daemon.sessions(t.iqn()).size(),
                ChapCredentials.mode(t.chap()), t.chap() == null ? null : t.chap().user(), t.acl());
    }

    private static Views.Session view(Session s) {
        return new Views.Session(s.tsih(), s.initiatorName(), String.format("%012x", s.isid()),
                s.target() == null ? null : s.target().name());
    }
}

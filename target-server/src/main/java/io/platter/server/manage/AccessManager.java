package io.platter.server.manage;

import io.platter.config.ChapCredentials;
import io.platter.config.IscsiNames;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.iscsi.auth.LoginThrottle;
import io.platter.server.Daemon;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may log in: the ACLs (initiator names, RFC 7143 §4.2.7) and CHAP credentials (RFC 7143
 * §12.1.3) of targets and of discovery, changed on the running daemon and persisted. A change is
 * written first and then applied, so later logins see it; sessions logged in already stay.
 * Secrets never appear in an answer, a message or the log. Same locking as {@link TargetManager}:
 * the monitor of the {@link ManagedConfig}.
 */
public final class AccessManager {
    private static final Logger LOG = LoggerFactory.getLogger(AccessManager.class);

    private final Daemon daemon;
    private final ManagedConfig config;

    public AccessManager(Daemon daemon, ManagedConfig config) {
        this.daemon = daemon;
        this.config = config;
    }

    /** The initiators allowed to log in to {@code iqn} (empty: everyone). */
    public Views.Acl aclList(String iqn) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            return new Views.Acl(t.iqn(), t.acl());
        }
    }

    /** Allows {@code initiator} to log in to {@code iqn}; a target with an empty ACL becomes closed to others. */
    public Views.Acl aclAdd(String iqn, String initiator) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            String name = initiatorName(initiator);
            if (t.acl().contains(name)) {
                throw ManagementException.conflict("initiator " + name + " is already in the ACL of " + t.iqn());
            }
            List<String> acl = new ArrayList<>(t.acl());
            acl.add(name);
            TargetConfig n = apply(t.withAcl(acl));
            LOG.info("ACL of {}: {} added", n.iqn(), name);
            return new Views.Acl(n.iqn(), n.acl());
        }
    }

    /**
     * Takes {@code initiator} off the ACL of {@code iqn}: it can no longer log in, its sessions
     * stay. Removing the last name would open the target to everyone, so it needs {@code open}.
     */
    public Views.Acl aclRemove(String iqn, String initiator, boolean open) {
        synchronized (config) {
            TargetConfig t = target(iqn);
            String name = initiatorName(initiator);
            if (!t.acl().contains(name)) {
                throw ManagementException.notFound("initiator " + name + " is not in the ACL of " + t.iqn());
            }
            if (t.acl().size() == 1 && !open) {
                throw ManagementException.conflict("removing the last initiator opens " + t.iqn()
                        + " to every initiator; add another one first or use --open");
            }
            TargetConfig n = apply(t.withAcl(t.acl().stream().filter(x -> !x.equals(name)).toList()));
            LOG.info("ACL of {}: {} removed{}", n.iqn(), name, n.acl().isEmpty() ? ", open to every initiator" : "");
            return new Views.Acl(n.iqn(), n.acl());
        }
    }

    /**
     * Sets the CHAP credentials of target {@code iqn}, or of discovery when {@code iqn} is null.
     * The mutual pair is optional; every secret follows the config file's rules: a secret shorter
     * than {@value ChapCredentials#MIN_RECOMMENDED_SECRET_BYTES} bytes is refused unless
     * {@code allowShort} (the file's {@code allow-short-secret: true}), then accepted with a warning.
     */
    public Views.Done chapSet(String iqn, String user, String secret, String mutualUser, String mutualSecret,
                              boolean allowShort) {
        List<String> warnings = new ArrayList<>();
        ChapCredentials chap = credentials(user, secret, mutualUser, mutualSecret, warnings);
        if (!warnings.isEmpty() && !allowShort) {
            // RFC 7143 §12.1.3: short secrets fall to offline guessing of a captured exchange.
            throw ManagementException.badRequest(String.join("; ", warnings)
                    + " (allow-short-secret to accept it anyway)");
        }
        String scope;
        synchronized (config) {
            scope = change(iqn, chap);
        }
        String done = "CHAP of " + scope + " set: " + ChapCredentials.mode(chap) + ", user " + chap.user()
                + (chap.mutual() ? ", target user " + chap.mutualUser() : "");
        LOG.info(done);
        warnings.forEach(w -> LOG.warn("CHAP of {}: {}", scope, w));
        return new Views.Done(warnings.isEmpty() ? done : done + "; warning: " + String.join("; ", warnings));
    }

    /**
     * Turns authentication of target {@code iqn} (discovery when null) off. The cleared secret is
     * left in no file: the config writer keeps no backup of a file holding a secret the change
     * removes (the same holds for a secret {@link #chapSet} replaces).
     */
    public Views.Done chapClear(String iqn) {
        synchronized (config) {
            String done = "CHAP of " + change(iqn, null) + " cleared: no authentication";
            LOG.info(done);
            return new Views.Done(done);
        }
    }

    /** Writes and applies {@code chap} (null: none); returns what it applies to, for messages. */
    private String change(String iqn, ChapCredentials chap) {
        if (iqn == null) {
            config.update(c -> c.withDiscoveryChap(chap));
            daemon.discoveryChap(chap);
            return "discovery";
        }
        TargetConfig n = apply(target(iqn).withChap(chap));
        return n.iqn();
    }

    /** Persists {@code n} in place of the target of its name, then exports it. */
    private TargetConfig apply(TargetConfig n) {
        config.update(c -> replace(c, n));
        daemon.reconfigureTarget(n);
        return n;
    }

    private static PlatterConfig replace(PlatterConfig c, TargetConfig n) {
        return c.withTargets(c.targets().stream().map(t -> t.iqn().equals(n.iqn()) ? n : t).toList());
    }

    /**
     * The login blocks in force ({@link LoginThrottle}): address (or "*" for every address),
     * target, user, failures counted and when the block ends, in the host's time zone.
     */
    public List<Views.AuthBlock> authBlocks() {
        Instant now = Instant.now();
        return daemon.loginThrottle().blocks().stream()
                .map(b -> new Views.AuthBlock(b.source(), b.target(), b.user(), b.failures(),
                        Sessions.localTime(now.plus(b.remaining()).plusSeconds(1))))
                .toList();
    }

    /**
     * Lifts the login blocks (and forgets the failures) of every record that matches the given
     * address, target and user; {@code all} for every record. A correct login is let in at once.
     */
    public Views.Done authUnblock(String address, String target, String user, boolean all) {
        boolean any = address != null || target != null || user != null;
        if (any == all) {
            throw ManagementException.badRequest("name what to unblock (--address, --target, --user) or use --all, "
                    + "not both");
        }
        int lifted = daemon.loginThrottle().unblock(address, target, user);
        return new Views.Done(lifted == 0 ? "no block matched" : "lifted " + lifted + " block(s)");
    }

    /** Checks the credentials as the config loader does; messages name the argument, never a secret. */
    static ChapCredentials credentials(String user, String secret, String mutualUser, String mutualSecret,
                                       List<String> warnings) {
        if (user == null || user.isEmpty()) {
            throw ManagementException.badRequest("the CHAP user must not be empty");
        }
        check("secret", secret, warnings);
        if (mutualUser != null || mutualSecret != null) {
            if (mutualUser == null || mutualUser.isEmpty() || mutualSecret == null) {
                throw ManagementException.badRequest("mutual CHAP needs both a mutual user and a mutual secret");
            }
            check("mutual secret", mutualSecret, warnings);
            ChapCredentials.mutualProblem(secret, mutualSecret).ifPresent(p -> {
                throw ManagementException.badRequest("the mutual secret " + p);
            });
        }
        return new ChapCredentials(user, secret, mutualUser, mutualSecret);
    }

    private static void check(String what, String secret, List<String> warnings) {
        Optional<String> problem = ChapCredentials.secretProblem(secret);
        if (problem.isPresent()) {
            throw ManagementException.badRequest("the " + what + " " + problem.get());
        }
        ChapCredentials.secretWarning(secret).ifPresent(w -> warnings.add("the " + what + " is " + w));
    }

    private static String initiatorName(String initiator) {
        String problem = initiator == null ? "missing" : IscsiNames.problem(initiator).orElse(null);
        if (problem != null) {
            throw ManagementException.badRequest("bad initiator name \"" + initiator + "\": " + problem);
        }
        return IscsiNames.normalize(initiator);
    }

    private TargetConfig target(String iqn) {
        return config.get().target(Objects.requireNonNullElse(iqn, "")).orElseThrow(() ->
                ManagementException.notFound("no target " + iqn + " (see platter target list)"));
    }
}

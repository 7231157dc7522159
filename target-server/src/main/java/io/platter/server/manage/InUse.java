package io.platter.server.manage;

import io.platter.iscsi.session.Session;
import io.platter.server.Daemon;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule for taking a LUN or a target away from logged-in initiators (lun unmap, volume
 * delete, reload, target delete, snapshot revert): refused while a session is logged in to the
 * target, naming each session, unless the operator adds {@code --force}. An initiator treats a
 * LUN that vanishes under it as lost (ESXi: permanent device loss), so the operator must see who
 * is attached before doing it. With force the change proceeds and is logged at WARN with the
 * sessions; the target raises REPORTED LUNS DATA HAS CHANGED (SPC-5 §6.33) on the LUNs that stay.
 * One {@code --force} confirms both what a command already asked it for (volume delete of a
 * mapped volume, target delete of a target with LUNs) and the sessions: the refusal without it
 * names them, so the operator sees who is attached before forcing.
 */
final class InUse {
    private static final Logger LOG = LoggerFactory.getLogger(InUse.class);
    /** What an in-use refusal ends with. */
    static final String ADVICE = "log them out first (platter session logout) or add --force";

    private InUse() {
    }

    /**
     * Refuses {@code change} (e.g. "unmapping LUN 1 of iqn...") while sessions are logged in to
     * target {@code iqn}, unless {@code force}.
     *
     * @throws ManagementException conflict (409) naming the sessions and saying to add --force
     */
    static void require(Daemon daemon, String iqn, boolean force, String change) {
        String problem = problem(daemon, iqn, force, change);
        if (problem != null) {
            throw ManagementException.conflict(problem + "; " + ADVICE);
        }
    }

    /**
     * Why {@code change} is refused ("C is refused: N session(s) logged in to T: ..."), or null
     * when no session is logged in or {@code force} (then the change and its sessions are logged
     * at WARN).
     */
    static String problem(Daemon daemon, String iqn, boolean force, String change) {
        List<Session> sessions = daemon.sessions(iqn).stream().filter(s -> !s.closing()).toList();
        if (sessions.isEmpty()) {
            return null;
        }
        if (force) {
            LOG.warn("{} with --force: {}", change, describe(sessions));
            return null;
        }
        return change + " is refused: " + describe(sessions);
    }

    /** "2 session(s) logged in to T: I from A (ISID x, TSIH n), ...". */
    static String describe(List<Session> sessions) {
        String target = sessions.get(0).target() == null ? "discovery" : sessions.get(0).target().name();
        return sessions.size() + " session(s) logged in to " + target + ": " + sessions.stream()
                .map(s -> s.initiatorName() + " from " + source(s) + " (ISID " + String.format("%012x", s.isid())
                        + ", TSIH " + s.tsih() + ")")
                .collect(Collectors.joining(", "));
    }

    private static String source(Session s) {
        var ch = s.channel();
        if (ch != null && ch.remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null) {
            return a.getAddress().getHostAddress();
        }
        return "?";
    }
}

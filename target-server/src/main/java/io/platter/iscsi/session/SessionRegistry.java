package io.platter.iscsi.session;

import io.netty.channel.EventLoop;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.login.SessionParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live sessions of the server: TSIH allocation (RFC 7143 §11.12.6, never 0), session
 * reinstatement (§6.3.5: a login with the same initiator name and ISID and TSIH 0 replaces the
 * old session), lookup of a session a connection joins (MC/S), and the session limits per
 * target and per initiator name (normal sessions only). Thread-safe: connections on different event loops use it; creation
 * is serialised on this object.
 */
public final class SessionRegistry {
    private final Map<Integer, Session> byTsih = new ConcurrentHashMap<>();
    private int nextTsih = 1;

    /** Creates and registers a session with no limits; returns the sessions it reinstates. */
    public Registration create(long isid, String initiatorName, ExportedTarget target, SessionParameters parameters,
                               int firstCmdSn, int windowDepth, EventLoop loop) {
        try {
            return create(isid, initiatorName, target, parameters, firstCmdSn, windowDepth, loop, Integer.MAX_VALUE,
                    Integer.MAX_VALUE);
        } catch (LoginException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Creates and registers a session; returns it with the sessions it reinstates (unregistered
     * here, to be closed by the caller).
     *
     * @throws LoginException OUT_OF_RESOURCES (03/02) when the target or the initiator already
     *                        holds its limit of normal sessions, not counting the ones reinstated
     */
    public synchronized Registration create(long isid, String initiatorName, ExportedTarget target,
                                            SessionParameters parameters, int firstCmdSn, int windowDepth,
                                            EventLoop loop, int perTarget, int perInitiator) throws LoginException {
        List<Session> replaced = new ArrayList<>();
        int ofTarget = 0;
        int ofInitiator = 0;
        for (Session s : byTsih.values()) {
            boolean sameInitiator = s.initiatorName().equalsIgnoreCase(initiatorName);
            // A session is named by initiator, ISID and portal group (RFC 7143 §4.4.3.1, SSID).
            if (s.isid() == isid && sameInitiator && sameTarget(s.target(), target) && sameGroup(s.target(), target)) {
                replaced.add(s);
                continue;
            }
            if (target != null && sameTarget(s.target(), target)) {
                ofTarget++;
            }
            // Only normal sessions count against a name: a discovery session merely claims one,
            // and counting it would let anyone lock the named initiator out (its connections are
            // bounded per source address instead, ServerLimits.connectionsPerAddress).
            if (sameInitiator && s.target() != null) {
                ofInitiator++;
            }
        }
        if (ofTarget >= perTarget) {
            throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "target " + target.name() + " has " + ofTarget
                    + " sessions (limit " + perTarget + ")");
        }
        if (target != null && ofInitiator >= perInitiator) {
            throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "initiator " + initiatorName + " has "
                    + ofInitiator + " sessions (limit " + perInitiator + ")");
        }
        replaced.forEach(s -> byTsih.remove(s.tsih(), s));
        int tsih;
        do {
            tsih = nextTsih;
            nextTsih = nextTsih == 0xffff ? 1 : nextTsih + 1;
        } while (byTsih.containsKey(tsih));
        Session session = new Session(tsih, isid, initiatorName, target, parameters, firstCmdSn, windowDepth, loop);
        byTsih.put(tsih, session);
        return new Registration(session, replaced);
    }

    /** The live session with this TSIH, or {@code null}. */
    public Session find(int tsih) {
        return byTsih.get(tsih);
    }

    public void remove(Session session) {
        byTsih.remove(session.tsih(), session);
    }

    public List<Session> all() {
        return List.copyOf(byTsih.values());
    }

    /** The normal sessions logged in to {@code target}. */
    public List<Session> of(ExportedTarget target) {
        return byTsih.values().stream().filter(s -> s.target() != null && sameTarget(s.target(), target)).toList();
    }

    private static boolean sameGroup(ExportedTarget a, ExportedTarget b) {
        return a == null || b == null || a.portalGroupTag() == b.portalGroupTag();
    }

    private static boolean sameTarget(ExportedTarget a, ExportedTarget b) {
        return a == null ? b == null : b != null && a.name().equalsIgnoreCase(b.name());
    }

    /** A new session and the old sessions it reinstates. */
    public record Registration(Session session, List<Session> replaced) {
    }
}

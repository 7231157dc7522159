package io.platter.iscsi.session;

import io.platter.iscsi.login.SessionParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live sessions of the server: TSIH allocation (RFC 7143 §11.12.6, never 0) and session
 * reinstatement (§6.3.5: a login with the same initiator name and ISID and TSIH 0 replaces the
 * old session). Thread-safe: connections on different event loops use it.
 */
public final class SessionRegistry {
    private final Map<Integer, Session> byTsih = new ConcurrentHashMap<>();
    private int nextTsih = 1;

    /** Creates and registers a session; returns the sessions it reinstates (to be closed). */
    public synchronized Registration create(long isid, String initiatorName, ExportedTarget target,
                                            SessionParameters parameters, int firstCmdSn, int windowDepth) {
        List<Session> replaced = new ArrayList<>();
        for (Session s : byTsih.values()) {
            if (s.isid() == isid && s.initiatorName().equalsIgnoreCase(initiatorName)
                    && sameTarget(s.target(), target)) {
                replaced.add(s);
                byTsih.remove(s.tsih());
            }
        }
        int tsih;
        do {
            tsih = nextTsih;
            nextTsih = nextTsih == 0xffff ? 1 : nextTsih + 1;
        } while (byTsih.containsKey(tsih));
        Session session = new Session(tsih, isid, initiatorName, target, parameters, firstCmdSn, windowDepth);
        byTsih.put(tsih, session);
        return new Registration(session, replaced);
    }

    public void remove(Session session) {
        byTsih.remove(session.tsih(), session);
    }

    public List<Session> all() {
        return List.copyOf(byTsih.values());
    }

    private static boolean sameTarget(ExportedTarget a, ExportedTarget b) {
        return a == null ? b == null : b != null && a.name().equalsIgnoreCase(b.name());
    }

    /** A new session and the old sessions it reinstates. */
    public record Registration(Session session, List<Session> replaced) {
    }
}

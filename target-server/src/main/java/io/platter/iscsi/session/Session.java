package io.platter.iscsi.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.platter.iscsi.login.SessionParameters;
import io.platter.scsi.ItNexus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session (RFC 7143 §4.4): its identity (initiator name, ISID, TSIH), its target (or
 * none for discovery), the session-wide negotiated parameters and the command window shared by
 * its connections (MC/S, §4.2.2.1: one CmdSN space per session).
 *
 * <p>Every connection of a session is moved onto the leading connection's event loop when it
 * joins, so the window and the task sets are confined to {@link #loop()} without locks. Only
 * the connection list is read from other threads (reinstatement, stop), hence copy-on-write.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final ExportedTarget target;
    private final SessionParameters parameters;
    private final CommandWindow<Queued> window;
    private final ItNexus nexus;
    private final EventLoop loop;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closing;
    /** Completed once the session is torn down: no connection left, its I_T nexus loss signalled. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Whether the login authenticated the initiator (CHAP); confined to {@link #loop()}. */
    private boolean authenticated;
    private final SessionBudget budget = new SessionBudget();
    /** When the login that created the session succeeded (wall clock, for {@code session list}). */
    private final Instant loginTime = Instant.now();
    /** The CHAP user the initiator proved at login, or null; confined to {@link #loop()}. */
    private String chapUser;

    /** A numbered PDU or command waiting for its CmdSN, with the connection it arrived on (allegiance). */
    record Queued(FullFeatureHandler owner, WindowItem item) {
    }

    Session(int tsih, long isid, String initiatorName, ExportedTarget target, SessionParameters parameters,
            int firstCmdSn, int windowDepth, EventLoop loop) {
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.target = target;
        this.parameters = parameters;
        this.loop = loop;
        this.window = new CommandWindow<>(firstCmdSn, windowDepth);
        this.nexus = target == null ? null : new ItNexus(
                initiatorName + ",i,0x" + String.format("%012x", isid),
                target.name() + ",t,0x" + String.format("%04x", target.portalGroupTag()));
    }

    public int tsih() {
        return tsih;
    }

    public long isid() {
        return isid;
    }

    public String initiatorName() {
        return initiatorName;
    }

    /** The target, or {@code null} for a discovery session. */
    public ExportedTarget target() {
        return target;
    }

    public boolean discovery() {
        return target == null;
    }

    /** The session-wide parameters, as the leading connection negotiated them. */
    public SessionParameters parameters() {
        return parameters;
    }

    public CommandWindow<Queued> window() {
        return window;
    }

    /** The memory bounds of this session: buffered Data-Out, immediate commands (confined to {@link #loop()}). */
    SessionBudget budget() {
        return budget;
    }

    /** The I_T nexus of this session (normal sessions only). */
    public ItNexus nexus() {
        return nexus;
    }

    /** The event loop every connection of this session runs on. */
    public EventLoop loop() {
        return loop;
    }

    /** The live connections, leading one first. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** The channel of the leading (first live) connection, or {@code null}. */
    public Channel channel() {
        var all = connections;
        return all.isEmpty() ? null : all.get(0).channel();
    }

    /** The live connection with this CID, or {@code null}. */
    public Connection connection(int cid) {
        for (Connection c : connections) {
            if (c.cid() == cid) {
                return c;
            }
        }
        return null;
    }

    /** MaxConnections as negotiated (RFC 7143 §13.2). */
    public int maxConnections() {
        return Integer.parseInt(parameters.get(io.platter.iscsi.login.LoginKey.MAX_CONNECTIONS));
    }

    void attach(Connection connection) {
        connections.add(connection);
    }

    /**
     * Removes a connection; returns true when it was the last one. The caller then tears the
     * session down (unregisters it, signals the loss of its I_T nexus) in the same event-loop task,
     * so {@link #ended()} completes in the loop's next task, after that teardown.
     */
    boolean detach(Connection connection) {
        connections.remove(connection);
        boolean last = connections.isEmpty();
        if (last) {
            try {
                loop.execute(() -> ended.complete(null));
            } catch (RejectedExecutionException e) {
                ended.complete(null); // the server is stopping: nobody waits to reinstate
            }
        }
        return last;
    }

    /**
     * Completes once the session is gone: unregistered and its nexus loss signalled to the SCSI
     * target (SPC-2 reservations and unit attentions of the nexus cleared). A session reinstating
     * this one (same initiator, ISID and target, RFC 7143 §6.3.5) waits for it, so that clearing
     * never reaches the new session, whose I_T nexus has the same name.
     */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** A session that never reached full feature phase: nothing of it to tear down but its registration. */
    void abandoned(SessionRegistry registry) {
        closing = true;
        registry.remove(this);
        ended.complete(null);
    }

    /** Whether the initiator proved its identity at login (CHAP; discovery CHAP for a discovery session). */
    public boolean authenticated() {
        return authenticated;
    }

    void authenticated(boolean value) {
        this.authenticated = value;
    }

    void chapUser(String user) {
        this.chapUser = user;
    }

    /**
     * What {@code session list} shows of this session, taken on its event loop (where its
     * connections' state is confined); taken on the caller's thread once the loop has stopped.
     */
    public CompletableFuture<SessionInfo> info() {
        CompletableFuture<SessionInfo> info = new java.util.concurrent.CompletableFuture<>();
        try {
            loop.execute(() -> info.complete(snapshot()));
        } catch (RejectedExecutionException e) {
            info.complete(snapshot());
        }
        return info;
    }

    private SessionInfo snapshot() {
        List<SessionInfo.ConnectionInfo> conns = new ArrayList<>();
        for (Connection c : connections) {
            SessionParameters p = c.parameters();
            conns.add(new SessionInfo.ConnectionInfo(c.cid(), SessionInfo.format(c.channel().localAddress()),
                    SessionInfo.format(c.channel().remoteAddress()), p != null && p.headerDigest(),
                    p != null && p.dataDigest()));
        }
        return new SessionInfo(tsih, isid, initiatorName, target == null ? null : target.name(), loginTime, chapUser,
                conns);
    }

    /**
     * Asks the initiator to log out (an Asynchronous Message on every connection, RFC 7143
     * §11.9.1, AsyncEvent 1) and closes the session if it is still there after {@code seconds}
     * (plus a second for the Logout to arrive). Returns at once; {@link #ended()} completes when
     * the session is gone, by the initiator's logout or by the close.
     */
    public void requestLogout(int seconds, String why) {
        LogoutRequested request = new LogoutRequested(seconds, why);
        for (Connection c : connections) {
            c.channel().pipeline().fireUserEventTriggered(request);
        }
        try {
            loop.schedule(() -> {
                if (!ended.isDone()) {
                    LOG.info("{} did not log out within {} s: closing it", this,
                            seconds);
                    close();
                }
            }, seconds + 1L, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            close();
        }
    }

    /** Whether the session is being torn down (reinstated, logged out, or failed). */
    public boolean closing() {
        return closing;
    }

    /** Closes every connection of the session; returns when each close has been requested. */
    public void close() {
        closing = true;
        for (Connection c : connections) {
            c.channel().close();
        }
    }

    @Override
    public String toString() {
        return "session tsih=" + tsih + " initiator=" + initiatorName + " isid=" + String.format("%012x", isid)
                + (target == null ? " discovery" : " target=" + target.name());
    }
}

package io.platter.iscsi.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.platter.iscsi.login.SessionParameters;
import io.platter.scsi.ItNexus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
    private final SessionBudget budget = new SessionBudget();

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

    /** Removes a connection; returns true when it was the last one. */
    boolean detach(Connection connection) {
        connections.remove(connection);
        return connections.isEmpty();
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

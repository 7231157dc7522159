package io.platter.iscsi.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.login.SessionParameters;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.Reject;
import io.netty.buffer.Unpooled;
import io.platter.config.Portal;
import io.platter.config.PortalGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one TCP connection shared by its login and full-feature handlers: StatSN, the
 * session once logged in, and the server-wide registries. Confined to the channel's event loop
 * (after an MC/S join, the session's loop).
 */
public final class Connection {
    private final Channel channel;
    private final TargetRegistry targets;
    private final SessionRegistry sessions;
    private final ServerLimits limits;
    private final PduDecoder decoder;
    private final LoginSecurity security;
    private final IscsiMetrics metrics;
    private int statSn = 1;
    private int nextTtt = 1;
    private Session session;
    private SessionParameters parameters;
    private FullFeatureHandler handler;
    private boolean loggedOut;
    private int cid;
    private int portalGroupTag = PortalGroup.DEFAULT_TAG;
    private List<PortalGroup> portalGroups = List.of();

    public Connection(Channel channel, TargetRegistry targets, SessionRegistry sessions, ServerLimits limits,
                      PduDecoder decoder) {
        this(channel, targets, sessions, limits, decoder, LoginSecurity.open(), IscsiMetrics.NONE);
    }

    public Connection(Channel channel, TargetRegistry targets, SessionRegistry sessions, ServerLimits limits,
                      PduDecoder decoder, LoginSecurity security) {
        this(channel, targets, sessions, limits, decoder, security, IscsiMetrics.NONE);
    }

    public Connection(Channel channel, TargetRegistry targets, SessionRegistry sessions, ServerLimits limits,
                      PduDecoder decoder, IscsiMetrics metrics) {
        this(channel, targets, sessions, limits, decoder, LoginSecurity.open(), metrics);
    }

    public Connection(Channel channel, TargetRegistry targets, SessionRegistry sessions, ServerLimits limits,
                      PduDecoder decoder, LoginSecurity security, IscsiMetrics metrics) {
        this.security = security;
        this.metrics = metrics;
        this.channel = channel;
        this.targets = targets;
        this.sessions = sessions;
        this.limits = limits;
        this.decoder = decoder;
    }

    public Channel channel() {
        return channel;
    }

    public TargetRegistry targets() {
        return targets;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public ServerLimits limits() {
        return limits;
    }

    public LoginSecurity security() {
        return security;
    }

    public IscsiMetrics metrics() {
        return metrics;
    }

    public Session session() {
        return session;
    }

    /**
     * Enters full feature phase in {@code session}. {@code parameters} are this connection's
     * negotiated values: its connection-scope keys (digests, MaxRecvDataSegmentLength) apply to it
     * alone; for the leading connection they are also the session's.
     */
    void loggedIn(Session session, int cid, SessionParameters parameters) {
        this.session = session;
        this.cid = cid;
        this.parameters = parameters;
        decoder.configure(parameters.headerDigest(), parameters.dataDigest(), parameters.maxRecvDataSegmentLength());
        channel.attr(PduEncoder.DIGESTS).set(new boolean[] {parameters.headerDigest(), parameters.dataDigest()});
    }

    /** This connection's negotiated parameters (connection-scope keys are per connection, RFC 7143 §13). */
    public SessionParameters parameters() {
        return parameters;
    }

    /** The full feature handler of this connection, once logged in. */
    FullFeatureHandler handler() {
        return handler;
    }

    void handler(FullFeatureHandler handler) {
        this.handler = handler;
    }

    /** Whether the connection ends by a logout rather than a failure. */
    boolean loggedOut() {
        return loggedOut;
    }

    void loggedOut(boolean value) {
        this.loggedOut = value;
    }

    public int cid() {
        return cid;
    }

    /** The StatSN for a PDU that carries status; advances the counter (RFC 7143 §4.2.2.2). */
    public int nextStatSn() {
        return statSn++;
    }

    /** The current StatSN for PDUs that do not advance it (R2T, NOP-In pings, Data-In). */
    public int currentStatSn() {
        return statSn;
    }

    /** Sets the StatSN the initiator expects next (from the first login request's ExpStatSN). */
    void statSn(int value) {
        this.statSn = value;
    }

    /** A fresh Target Transfer Tag for an R2T or a NOP-In ping; never 0xffffffff. */
    public int nextTtt() {
        int ttt = nextTtt++;
        if (nextTtt == io.platter.iscsi.pdu.Bhs.RESERVED_TAG) {
            nextTtt = 1;
        }
        return ttt;
    }

    public int expCmdSn() {
        return session == null ? 0 : session.window().expCmdSn();
    }

    public int maxCmdSn() {
        return session == null ? 0 : session.window().maxCmdSn();
    }

    /** Writes a PDU without flushing. */
    public void write(Pdu pdu) {
        channel.write(pdu, channel.voidPromise());
    }

    public void writeAndFlush(Pdu pdu) {
        channel.writeAndFlush(pdu, channel.voidPromise());
    }

    /** Sends the Reject {@code e} stands for; its data segment is the rejected header (RFC 7143 §11.17). */
    public void reject(ProtocolException e) {
        write(new Reject(e.reason().wire(), nextStatSn(), expCmdSn(), maxCmdSn(), 0,
                Unpooled.wrappedBuffer(e.rejectedHeader())));
    }

    /** Flushes what is pending and closes the connection. */
    public void close() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The address initiators reached us at, as a TargetAddress value (RFC 7143 §13.8). */
    public String portalAddress() {
        if (!(channel.localAddress() instanceof InetSocketAddress local)) {
            return "127.0.0.1:3260"; // not a TCP channel (tests): the loopback default portal
        }
        String host = local.getAddress().getHostAddress();
        if (host.contains(":")) {
            int zone = host.indexOf('%');
            host = "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]";
        }
        return host + ":" + local.getPort();
    }

    /**
     * Records the portal group this connection arrived through and every group of the server
     * (for SendTargets); without it the connection is in group 1 with only its own address.
     */
    public void arrivedVia(int tag, List<PortalGroup> groups) {
        this.portalGroupTag = tag;
        this.portalGroups = List.copyOf(groups);
    }

    /** The Target Portal Group Tag of the portal this connection arrived on (RFC 7143 §13.9). */
    public int portalGroupTag() {
        return portalGroupTag;
    }

    /**
     * The TargetAddress values of every portal of every group (RFC 7143 §13.8): {@code ip:port,tpgt},
     * IPv6 in brackets. A wildcard portal is given as the address this connection reached us at.
     */
    public List<String> targetAddresses() {
        if (portalGroups.isEmpty()) {
            return List.of(portalAddress() + "," + portalGroupTag);
        }
        List<String> out = new ArrayList<>();
        for (PortalGroup group : portalGroups) {
            for (Portal portal : group.portals()) {
                String host = portal.toString();
                if (wildcard(portal.host())) {
                    String own = portalAddress();
                    host = own.substring(0, own.lastIndexOf(':')) + ":" + portal.port();
                }
                out.add(host + "," + group.tag());
            }
        }
        return out;
    }

    private static boolean wildcard(String host) {
        if (!host.contains(":") && !host.matches("[0-9.]+")) {
            return false; // a host name: never resolved here
        }
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }

    /** The initiator's host address without the port: the unit failed logins are throttled by. */
    public String remoteHost() {
        if (channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
            return remote.getAddress().getHostAddress();
        }
        return remoteAddress();
    }
}

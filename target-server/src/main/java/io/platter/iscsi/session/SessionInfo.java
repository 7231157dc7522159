package io.platter.iscsi.session;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;

/**
 * What {@code platter session list} shows of one session, taken on the session's event loop
 * ({@link Session#info()}) so that it reads the loop-confined state consistently.
 *
 * @param target      the target's name, or null for a discovery session
 * @param chapUser    the CHAP user the initiator proved at login, or null
 * @param connections the live connections, leading one first
 */
public record SessionInfo(int tsih, long isid, String initiator, String target, Instant loginTime, String chapUser,
                          List<ConnectionInfo> connections) {

    /**
     * One connection of a session.
     *
     * @param portal the local address:port the initiator connected to
     * @param source the initiator's address:port
     */
    public record ConnectionInfo(int cid, String portal, String source, boolean headerDigest, boolean dataDigest) {
    }

    /** {@code host:port}, IPv6 in brackets; {@code "-"} when the channel has no socket address. */
    static String format(SocketAddress address) {
        if (!(address instanceof InetSocketAddress a) || a.getAddress() == null) {
            return "-";
        }
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}

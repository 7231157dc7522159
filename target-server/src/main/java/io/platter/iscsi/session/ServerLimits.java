package io.platter.iscsi.session;

import java.time.Duration;

/**
 * Bounds that keep one initiator from exhausting the server, and the liveness timers: command
 * window depth, the largest data transfer of one command, login duration, text sizes, NOP-In
 * keep-alives, connections per session, sessions per target and per initiator, connections per
 * source address and in all, and how long a discovery session may sit idle.
 *
 * <p>Defaults ({@link #defaults()}): window 128, transfers up to 32 MiB, 15 s to log in, 64 KiB
 * of text, NOP-In after 10 s idle and dead after 30 s, 4 connections per session, 256 sessions
 * per target, 64 normal sessions per initiator name, 256 connections per source address, 4096
 * connections in all, discovery sessions closed after 60 s without a Text or Logout request.
 *
 * @param commandWindow        commands one session may have in flight (MaxCmdSN - ExpCmdSN + 1)
 * @param maxTransferLength    largest expected data transfer length of one command, in bytes
 * @param loginTimeout         time a connection has to complete its login
 * @param maxTextLength        largest accumulated login or text request (key=value bytes)
 * @param nopInInterval        idle time after which the target pings with a NOP-In (RFC 7143 §11.19)
 * @param nopInTimeout         time without any PDU from the initiator after which the connection is dead
 * @param maxConnections       connections one session may have (the MaxConnections we offer, §13.2)
 * @param sessionsPerTarget    normal sessions one target accepts at a time
 * @param sessionsPerInitiator normal sessions one initiator name may hold at a time; discovery
 *                             sessions do not count (the name is only claimed there, and a
 *                             stranger could otherwise lock the named initiator out)
 * @param connectionsPerAddress TCP connections (logging in or logged in) from one source address
 * @param connectionsTotal     TCP connections the server holds at a time
 * @param discoveryIdleTimeout time a discovery session may go without a Text or Logout request
 *                             (NOP-Outs do not count) before the target closes it
 */
public record ServerLimits(int commandWindow, int maxTransferLength, Duration loginTimeout, int maxTextLength,
                           Duration nopInInterval, Duration nopInTimeout, int maxConnections, int sessionsPerTarget,
                           int sessionsPerInitiator, int connectionsPerAddress, int connectionsTotal,
                           Duration discoveryIdleTimeout) {

    public ServerLimits {
        if (maxConnections < 1 || maxConnections > 65535) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " outside 1..65535");
        }
        if (nopInTimeout.compareTo(nopInInterval) <= 0) {
            throw new IllegalArgumentException("nopInTimeout must exceed nopInInterval");
        }
        if (connectionsPerAddress < 1 || connectionsTotal < connectionsPerAddress) {
            throw new IllegalArgumentException("need 1 <= connectionsPerAddress <= connectionsTotal");
        }
    }

    /** Server limits that work with the usual initiators; see the class comment. */
    public static ServerLimits defaults() {
        return new ServerLimits(128, 32 * 1024 * 1024, Duration.ofSeconds(15), 64 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 4, 256, 64, 256, 4096, Duration.ofSeconds(60));
    }

    /** These limits with other keep-alive timers. */
    public ServerLimits withKeepAlive(Duration interval, Duration timeout) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, interval, timeout,
                maxConnections, sessionsPerTarget, sessionsPerInitiator, connectionsPerAddress, connectionsTotal,
                discoveryIdleTimeout);
    }

    /** These limits with other session and connection counts. */
    public ServerLimits withSessions(int connections, int perTarget, int perInitiator) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, nopInInterval,
                nopInTimeout, connections, perTarget, perInitiator, connectionsPerAddress, connectionsTotal,
                discoveryIdleTimeout);
    }

    /** These limits with other caps on TCP connections per source address and in all. */
    public ServerLimits withConnectionCaps(int perAddress, int total) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, nopInInterval,
                nopInTimeout, maxConnections, sessionsPerTarget, sessionsPerInitiator, perAddress, total,
                discoveryIdleTimeout);
    }

    /** These limits with another idle timeout for discovery sessions. */
    public ServerLimits withDiscoveryIdleTimeout(Duration timeout) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, nopInInterval,
                nopInTimeout, maxConnections, sessionsPerTarget, sessionsPerInitiator, connectionsPerAddress,
                connectionsTotal, timeout);
    }

    /** These limits with another command window depth. */
    public ServerLimits withCommandWindow(int depth) {
        return new ServerLimits(depth, maxTransferLength, loginTimeout, maxTextLength, nopInInterval, nopInTimeout,
                maxConnections, sessionsPerTarget, sessionsPerInitiator, connectionsPerAddress, connectionsTotal,
                discoveryIdleTimeout);
    }
}

package io.platter.iscsi.session;

import java.time.Duration;

/**
 * Bounds that keep one initiator from exhausting the server, and the liveness timers: command
 * window depth, the largest data transfer of one command, login duration, text sizes, NOP-In
 * keep-alives, connections per session and sessions per target and per initiator.
 *
 * @param commandWindow        commands one session may have in flight (MaxCmdSN - ExpCmdSN + 1)
 * @param maxTransferLength    largest expected data transfer length of one command, in bytes
 * @param loginTimeout         time a connection has to complete its login
 * @param maxTextLength        largest accumulated login or text request (key=value bytes)
 * @param nopInInterval        idle time after which the target pings with a NOP-In (RFC 7143 §11.19)
 * @param nopInTimeout         time without any PDU from the initiator after which the connection is dead
 * @param maxConnections       connections one session may have (the MaxConnections we offer, §13.2)
 * @param sessionsPerTarget    normal sessions one target accepts at a time
 * @param sessionsPerInitiator sessions (normal and discovery) one initiator name may hold at a time
 */
public record ServerLimits(int commandWindow, int maxTransferLength, Duration loginTimeout, int maxTextLength,
                           Duration nopInInterval, Duration nopInTimeout, int maxConnections, int sessionsPerTarget,
                           int sessionsPerInitiator) {

    public ServerLimits {
        if (maxConnections < 1 || maxConnections > 65535) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " outside 1..65535");
        }
        if (nopInTimeout.compareTo(nopInInterval) <= 0) {
            throw new IllegalArgumentException("nopInTimeout must exceed nopInInterval");
        }
    }

    public static ServerLimits defaults() {
        return new ServerLimits(128, 32 * 1024 * 1024, Duration.ofSeconds(15), 64 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 4, 256, 64);
    }

    /** These limits with other keep-alive timers. */
    public ServerLimits withKeepAlive(Duration interval, Duration timeout) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, interval, timeout,
                maxConnections, sessionsPerTarget, sessionsPerInitiator);
    }

    /** These limits with other session and connection counts. */
    public ServerLimits withSessions(int connections, int perTarget, int perInitiator) {
        return new ServerLimits(commandWindow, maxTransferLength, loginTimeout, maxTextLength, nopInInterval,
                nopInTimeout, connections, perTarget, perInitiator);
    }

    /** These limits with another command window depth. */
    public ServerLimits withCommandWindow(int depth) {
        return new ServerLimits(depth, maxTransferLength, loginTimeout, maxTextLength, nopInInterval, nopInTimeout,
                maxConnections, sessionsPerTarget, sessionsPerInitiator);
    }
}

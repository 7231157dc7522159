package io.platter.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the server's TCP connections per source address and in all, and refuses one beyond
 * either cap ({@link io.platter.iscsi.session.ServerLimits#connectionsPerAddress()},
 * {@link io.platter.iscsi.session.ServerLimits#connectionsTotal()}), so that no client, logged
 * in or not, can hold every file descriptor of the daemon. Thread-safe: accepted channels on
 * every event loop call it; the counts are guarded by this object's monitor.
 */
final class ConnectionCaps {
    private final int perAddress;
    private final int total;
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private int count;

    ConnectionCaps(int perAddress, int total) {
        this.perAddress = perAddress;
        this.total = total;
    }

    /**
     * Counts a new connection from {@code source}, or returns why it is refused (then nothing is
     * counted). Each admitted connection must be {@link #release released} exactly once.
     */
    synchronized String admit(InetAddress source) {
        if (count >= total) {
            return "the server holds " + count + " connections (limit " + total + ")";
        }
        int from = byAddress.getOrDefault(source, 0);
        if (from >= perAddress) {
            return source.getHostAddress() + " holds " + from + " connections (limit " + perAddress + ")";
        }
        byAddress.put(source, from + 1);
        count++;
        return null;
    }

    /** Forgets one admitted connection from {@code source}. */
    synchronized void release(InetAddress source) {
        byAddress.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
        count--;
    }

    synchronized int count() {
        return count;
    }
}

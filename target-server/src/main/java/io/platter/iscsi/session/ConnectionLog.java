package io.platter.iscsi.session;

import java.util.EnumMap;
import java.util.Map;

/**
 * Log lines of one connection that a hostile or dying peer could repeat without end (a write
 * error per pending command when the socket breaks, a Reject per malformed PDU): the first few of
 * each kind are logged, the rest only counted and summed up in the one line logged when the
 * connection closes. Confined to the connection's event loop.
 */
final class ConnectionLog {

    /** What may repeat, and how many of it are logged per connection before counting only. */
    enum Kind {
        IO_ERROR(1, "I/O error"),
        PROTOCOL_ERROR(10, "protocol error"),
        DATA_OUT_ERROR(10, "Data-Out error");

        final int logged;
        final String noun;

        Kind(int logged, String noun) {
            this.logged = logged;
            this.noun = noun;
        }
    }

    private final Map<Kind, Integer> seen = new EnumMap<>(Kind.class);

    /** Counts one event of {@code kind}; true when it is still to be logged. */
    boolean admit(Kind kind) {
        return seen.merge(kind, 1, Integer::sum) <= kind.logged;
    }

    /** Events counted but not logged, as {@code "; not logged: 299 I/O errors"}, or "" when none. */
    String suppressed() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Kind, Integer> e : seen.entrySet()) {
            int n = e.getValue() - e.getKey().logged;
            if (n > 0) {
                out.append(out.length() == 0 ? "; not logged: " : ", ").append(n).append(' ').append(e.getKey().noun)
                        .append(n == 1 ? "" : "s");
            }
        }
        return out.toString();
    }
}

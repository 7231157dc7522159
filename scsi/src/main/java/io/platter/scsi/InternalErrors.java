package io.platter.scsi;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The count of internal errors: every place where a bug (an unexpected {@link RuntimeException}
 * or {@link Error}) is turned into a polite answer (a Reject, a closed connection, INTERNAL
 * TARGET FAILURE sense) records it here. Hostile-input, fuzz and load tests assert that the count
 * stayed at zero, so a catch-all can never hide a bug from them. Exposed as the metric
 * {@code platter_internal_errors_total} and in the log as {@code internal error #N}: the first
 * {@value #LOGGED_IN_FULL} with their stack trace, then every {@value #LOG_EVERY}th as one line.
 * One count per JVM (one daemon per process). Thread-safe.
 */
public final class InternalErrors {

    /** The marker every internal-error log line carries, followed by the running count. */
    public static final String MARKER = "internal error #";

    static final int LOGGED_IN_FULL = 100;
    static final int LOG_EVERY = 1000;

    private static final AtomicLong COUNT = new AtomicLong();

    private InternalErrors() {
    }

    /**
     * Counts one internal error and logs it (rate-limited as the class comment says).
     *
     * @param where what failed, for the log line (never a secret)
     */
    public static void record(Logger log, String where, Throwable cause) {
        long n = COUNT.incrementAndGet();
        if (n <= LOGGED_IN_FULL) {
            log.warn("{}{}: {}", MARKER, n, where, cause);
        } else if (n % LOG_EVERY == 0) {
            log.warn("{}{}: {}: {} (stack traces logged for the first {} only)", MARKER, n, where, cause,
                    LOGGED_IN_FULL);
        }
    }

    /** Internal errors recorded since the JVM started. */
    public static long count() {
        return COUNT.get();
    }
}

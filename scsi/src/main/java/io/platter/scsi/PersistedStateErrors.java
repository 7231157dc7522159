package io.platter.scsi;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The count of damaged persisted-state files (a unit's {@code <image>.pr} or {@code .mode}) that
 * a unit could not read and started without: the unit loses that state (its APTPL reservations,
 * its saved mode pages), never the daemon its start. Each is logged once at ERROR with its path
 * and exposed as the metric {@code platter_persisted_state_damaged_total}. One count per JVM.
 * Thread-safe.
 */
public final class PersistedStateErrors {

    private static final AtomicLong COUNT = new AtomicLong();

    private PersistedStateErrors() {
    }

    /**
     * Counts one damaged file and logs it.
     *
     * @param lost what the unit starts without, for the log line
     */
    public static void record(Logger log, Path file, String lost, Throwable cause) {
        COUNT.incrementAndGet();
        log.error("{} is damaged or unreadable ({}); the logical unit starts without {}", file,
                safe(String.valueOf(cause.getMessage())), lost);
    }

    /** Damaged files met since the JVM started. */
    public static long count() {
        return COUNT.get();
    }

    /** Log text without control characters, so a value read from a file cannot forge log lines. */
    private static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}

package io.platter.iscsi.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wrong CHAP responses per source address: after {@code maxFailures} within {@code window}
 * the address is blocked for {@code block}, during which every CHAP response from it is refused
 * unchecked, right or wrong, so guessing secrets gains nothing. Shared by all event loops; each
 * address's record is updated under {@link ConcurrentHashMap#compute}.
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    /** Beyond this many remembered addresses, expired records are swept on the next failure. */
    private static final int SWEEP_ABOVE = 4096;

    private final int maxFailures;
    private final long windowNanos;
    private final long blockNanos;
    private final LongSupplier clock;
    private final Map<String, Record> bySource = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    /** Failures within the window, oldest first, and when a block ends (0 = none). */
    private static final class Record {
        final Deque<Long> times = new ArrayDeque<>();
        long blockedUntil;
    }

    public LoginThrottle(int maxFailures, Duration window, Duration block, LongSupplier nanoClock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be >= 1");
        }
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.blockNanos = block.toNanos();
        this.clock = nanoClock;
    }

    /** Five failures in a minute block the source for a minute. */
    public static LoginThrottle defaults() {
        return new LoginThrottle(5, Duration.ofMinutes(1), Duration.ofMinutes(1), System::nanoTime);
    }

    /** Whether logins from {@code source} are refused right now. */
    public boolean blocked(String source) {
        Record r = bySource.get(source);
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return r.blockedUntil != 0 && clock.getAsLong() - r.blockedUntil < 0;
        }
    }

    /** Counts a login refused for want of authentication (no CHAP response was checked). */
    public void refused() {
        failures.incrementAndGet();
    }

    /** Records a wrong CHAP response from {@code source}: counted, and towards blocking it. */
    public void failed(String source) {
        failures.incrementAndGet();
        long now = clock.getAsLong();
        bySource.compute(source, (k, r) -> {
            Record rec = r == null ? new Record() : r;
            synchronized (rec) {
                while (!rec.times.isEmpty() && now - rec.times.peekFirst() > windowNanos) {
                    rec.times.pollFirst();
                }
                rec.times.addLast(now);
                if (rec.times.size() >= maxFailures && (rec.blockedUntil == 0 || now - rec.blockedUntil >= 0)) {
                    rec.blockedUntil = now + blockNanos;
                    rec.times.clear();
                    LOG.warn("{} failed logins from {}: refusing its logins for {} s",
                            maxFailures, source, Duration.ofNanos(blockNanos).toSeconds());
                }
            }
            return rec;
        });
        if (bySource.size() > SWEEP_ABOVE) {
            sweep(now);
        }
    }

    /** Authentication failures (refused or wrong) since start, for the login-failure metric. */
    public long failures() {
        return failures.get();
    }

    private void sweep(long now) {
        bySource.entrySet().removeIf(e -> {
            Record r = e.getValue();
            synchronized (r) {
                boolean stale = r.times.isEmpty() || now - r.times.peekLast() > windowNanos;
                return stale && (r.blockedUntil == 0 || now - r.blockedUntil >= 0);
            }
        });
    }
}

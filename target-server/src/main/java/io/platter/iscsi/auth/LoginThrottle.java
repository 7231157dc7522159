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
 * Wrong CHAP responses, counted three ways: per source address, per target and per CHAP user
 * name. After {@code maxFailures} within {@code window} a source address is blocked for
 * {@code block}; a target or a (configured) user name after {@value #SHARED_FACTOR} times as many,
 * from any number of addresses, so that guessing from many addresses (one IPv6 prefix holds
 * millions) gains no more than from one. While any of the three is blocked every CHAP response
 * for it is refused unchecked, right or wrong, so guessing gains nothing; the price is that a
 * flood of wrong guesses also keeps the right initiator out of that target for {@code block},
 * which is logged. Shared by all event loops; each record is updated under
 * {@link ConcurrentHashMap#compute}.
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    /** Beyond this many remembered addresses, expired records are swept on the next failure. */
    private static final int SWEEP_ABOVE = 4096;

    private final int maxFailures;
    private final long windowNanos;
    private final long blockNanos;
    private final LongSupplier clock;
    /** Failures of a target or a user name that block it, as a multiple of a source's. */
    static final int SHARED_FACTOR = 4;

    private final Map<String, Record> bySource = new ConcurrentHashMap<>();
    /** Keys "target:NAME" and "user:NAME"; user names only as configured, so the map stays small. */
    private final Map<String, Record> byTargetOrUser = new ConcurrentHashMap<>();
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
        return blocked(bySource, source);
    }

    /**
     * Whether a CHAP response from {@code source} for {@code target} (a target name, or
     * "discovery") under {@code user} (a configured CHAP user name, or {@code null}) is refused
     * right now.
     */
    public boolean blocked(String source, String target, String user) {
        return blocked(bySource, source) || blocked(byTargetOrUser, "target:" + target)
                || (user != null && blocked(byTargetOrUser, "user:" + user));
    }

    private boolean blocked(Map<String, Record> records, String key) {
        Record r = records.get(key);
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return r.blockedUntil != 0 && clock.getAsLong() - r.blockedUntil < 0;
        }
    }

    /**
     * Records a wrong CHAP response from {@code source} for {@code target} under {@code user}
     * (a configured user name, or {@code null} for an unknown one: those are not remembered).
     */
    public void failed(String source, String target, String user) {
        failed(source);
        long now = clock.getAsLong();
        count(byTargetOrUser, "target:" + target, maxFailures * SHARED_FACTOR, now);
        if (user != null) {
            count(byTargetOrUser, "user:" + user, maxFailures * SHARED_FACTOR, now);
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
        count(bySource, source, maxFailures, now);
        if (bySource.size() > SWEEP_ABOVE) {
            sweep(bySource, now);
        }
    }

    private void count(Map<String, Record> records, String key, int limit, long now) {
        records.compute(key, (k, r) -> {
            Record rec = r == null ? new Record() : r;
            synchronized (rec) {
                while (!rec.times.isEmpty() && now - rec.times.peekFirst() > windowNanos) {
                    rec.times.pollFirst();
                }
                rec.times.addLast(now);
                if (rec.times.size() >= limit && (rec.blockedUntil == 0 || now - rec.blockedUntil >= 0)) {
                    rec.blockedUntil = now + blockNanos;
                    rec.times.clear();
                    LOG.warn("{} failed CHAP logins within {} s for {}: refusing its CHAP logins for {} s",
                            limit, Duration.ofNanos(windowNanos).toSeconds(), key,
                            Duration.ofNanos(blockNanos).toSeconds());
                }
            }
            return rec;
        });
    }

    /** Authentication failures (refused or wrong) since start, for the login-failure metric. */
    public long failures() {
        return failures.get();
    }

    private void sweep(Map<String, Record> records, long now) {
        records.entrySet().removeIf(e -> {
            Record r = e.getValue();
            synchronized (r) {
                boolean stale = r.times.isEmpty() || now - r.times.peekLast() > windowNanos;
                return stale && (r.blockedUntil == 0 || now - r.blockedUntil >= 0);
            }
        });
    }
}

package io.platter.iscsi.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wrong CHAP responses (RFC 7143 §12.1.3), counted per (source address, target, CHAP user):
 * after {@code maxFailures} within {@code window} that triple is blocked for {@code block}, and
 * while it is blocked every CHAP response it sends is refused unchecked, right or wrong, so a
 * guess gains nothing. A second record per (target, user), from any address, blocks after
 * {@value #SHARED_FACTOR} times as many, so that guessing one secret from many addresses (one
 * IPv6 prefix holds millions) gains no more than from a few. Both records name one target: a
 * flood of wrong guesses can keep the right initiator out of <em>that</em> target for
 * {@code block}, never out of another one.
 *
 * <p>There is deliberately no per-address (or per-user) record across targets. Every target has
 * its own CHAP credentials, so guesses spread over many targets are guesses at many secrets, each
 * already limited by its own records; a cross-target record would add nothing against guessing
 * and could only do harm: five typos against one target locking the same host out of every
 * other target (issue 15 item 7). The one case it would help, the same user and secret
 * configured on several targets, is documented (docs/sessions.md: use a secret per target).
 *
 * <p>A user name the target does not know cannot be guessed right, so its failures are counted
 * only per (source, target) under the user {@value #UNKNOWN_USER}, never in the shared record
 * (bogus names from many addresses cannot lock the right initiator out). Records are visible
 * ({@link #blocks()}) and clearable ({@link #unblock}). Shared by all event loops; each record is
 * updated under its own monitor, found through a {@link ConcurrentHashMap}.
 */
public final class LoginThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    /** Beyond this many records, expired ones are swept on the next failure. */
    private static final int SWEEP_ABOVE = 4096;
    /** Failures of a (target, user) from every address that block it, as a multiple of one address's. */
    static final int SHARED_FACTOR = 4;
    /** The source of a shared record: failures from any address. */
    public static final String ANY_ADDRESS = "*";
    /** The user of failures under a name the target does not know. */
    public static final String UNKNOWN_USER = "-";

    private final int maxFailures;
    private final long windowNanos;
    private final long blockNanos;
    private final LongSupplier clock;
    private final Map<Key, Record> records = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    /** What a record counts: a source address (or {@link #ANY_ADDRESS}), a target, a user. */
    private record Key(String source, String target, String user) {
    }

    /** Failures within the window, oldest first, all failures since the record began, and when a block ends. */
    private static final class Record {
        final Deque<Long> times = new ArrayDeque<>();
        int total;
        /** 0 = not blocked. */
        long blockedUntil;
    }

    /**
     * A blocked (source, target, user), for {@code platter auth blocks}.
     *
     * @param source    the address, or {@link #ANY_ADDRESS} for the shared record of every address
     * @param user      the CHAP user name, or {@link #UNKNOWN_USER} for names the target does not know
     * @param failures  wrong responses counted since the record began
     * @param remaining how long the block still lasts
     */
    public record Block(String source, String target, String user, int failures, Duration remaining) {
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

    /** Five failures in a minute block the (source, target, user) for a minute. */
    public static LoginThrottle defaults() {
        return new LoginThrottle(5, Duration.ofMinutes(1), Duration.ofMinutes(1), System::nanoTime);
    }

    /**
     * Whether a CHAP response from {@code source} for {@code target} (a target name, or
     * "discovery") under {@code user} (a configured CHAP user name, or {@code null} for one the
     * target does not know) is refused right now.
     */
    public boolean blocked(String source, String target, String user) {
        return blocked(new Key(source, target, userKey(user)))
                || (user != null && blocked(new Key(ANY_ADDRESS, target, user)));
    }

    private boolean blocked(Key key) {
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
     * (a configured user name, or {@code null} for an unknown one).
     */
    public void failed(String source, String target, String user) {
        failures.incrementAndGet();
        long now = clock.getAsLong();
        count(new Key(source, target, userKey(user)), maxFailures, now);
        if (user != null) {
            count(new Key(ANY_ADDRESS, target, user), maxFailures * SHARED_FACTOR, now);
        }
        if (records.size() > SWEEP_ABOVE) {
            sweep(now);
        }
    }

    /** Counts a login refused for want of authentication (no CHAP response was checked). */
    public void refused() {
        failures.incrementAndGet();
    }

    private static String userKey(String user) {
        return user == null ? UNKNOWN_USER : user;
    }

    private void count(Key key, int limit, long now) {
        records.compute(key, (k, r) -> {
            Record rec = r == null ? new Record() : r;
            synchronized (rec) {
                while (!rec.times.isEmpty() && now - rec.times.peekFirst() > windowNanos) {
                    rec.times.pollFirst();
                }
                rec.times.addLast(now);
                rec.total++;
                if (rec.times.size() >= limit && (rec.blockedUntil == 0 || now - rec.blockedUntil >= 0)) {
                    rec.blockedUntil = now + blockNanos;
                    rec.times.clear();
                    LOG.warn("{} failed CHAP logins within {} s from {} to {} as user {}: refusing them for {} s "
                                    + "(see platter auth blocks; platter auth unblock lifts it)", limit,
                            Duration.ofNanos(windowNanos).toSeconds(),
                            ANY_ADDRESS.equals(k.source()) ? "any address" : k.source(), k.target(), k.user(),
                            Duration.ofNanos(blockNanos).toSeconds());
                }
            }
            return rec;
        });
    }

    /** Authentication failures (refused or wrong) since start. */
    public long failures() {
        return failures.get();
    }

    /** The blocks in force, by target, then source, then user. */
    public List<Block> blocks() {
        long now = clock.getAsLong();
        List<Block> out = new ArrayList<>();
        records.forEach((k, r) -> {
            synchronized (r) {
                if (r.blockedUntil != 0 && now - r.blockedUntil < 0) {
                    out.add(new Block(k.source(), k.target(), k.user(), r.total,
                            Duration.ofNanos(r.blockedUntil - now)));
                }
            }
        });
        out.sort(Comparator.comparing(Block::target, String.CASE_INSENSITIVE_ORDER)
                .thenComparing(Block::source).thenComparing(Block::user));
        return out;
    }

    /**
     * Forgets the blocks and the counted failures of every record that matches: each non-null
     * argument must equal the record's (targets case-insensitively, as IQNs compare; the shared
     * record's source is {@link #ANY_ADDRESS}); all null matches every record.
     *
     * @return how many blocks were lifted
     */
    public int unblock(String source, String target, String user) {
        long now = clock.getAsLong();
        int lifted = 0;
        for (var it = records.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Key k = e.getKey();
            if ((source == null || source.equals(k.source())) && (target == null || target.equalsIgnoreCase(k.target()))
                    && (user == null || user.equals(k.user()))) {
                Record r = e.getValue();
                synchronized (r) {
                    if (r.blockedUntil != 0 && now - r.blockedUntil < 0) {
                        lifted++;
                    }
                }
                it.remove();
            }
        }
        if (lifted > 0) {
            LOG.info("lifted {} login block(s) (address {}, target {}, user {})", lifted,
                    Objects.requireNonNullElse(source, "any"), Objects.requireNonNullElse(target, "any"),
                    Objects.requireNonNullElse(user, "any"));
        }
        return lifted;
    }

    private void sweep(long now) {
        records.entrySet().removeIf(e -> {
            Record r = e.getValue();
            synchronized (r) {
                boolean stale = r.times.isEmpty() || now - r.times.peekLast() > windowNanos;
                return stale && (r.blockedUntil == 0 || now - r.blockedUntil >= 0);
            }
        });
    }
}

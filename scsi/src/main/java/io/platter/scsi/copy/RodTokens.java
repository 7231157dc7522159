package io.platter.scsi.copy;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.UnitContext;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The ROD tokens of this daemon (SPC-5 §5.17.6, SBC-4 §4.x): at most
 * {@link TokenLimits#MAX_LIVE_TOKENS} live at once, each expiring after its inactivity timeout
 * (counted from its creation or the end of its last use, never while a WRITE USING TOKEN uses it),
 * cancelled by a write to its source ranges ({@link TokenWatch}) or deleted by DEL_TKN. A token
 * that is no longer live is remembered (a bounded number) with the reason, so WRITE USING TOKEN
 * answers TOKEN EXPIRED, CANCELLED or DELETED rather than UNKNOWN. One instance per daemon
 * ({@link #DAEMON}), whose MAC key is drawn at start: tokens do not survive a restart. Guarded by
 * {@code this}.
 */
public final class RodTokens {

    /** The daemon's tokens, shared by every target and unit. */
    public static final RodTokens DAEMON = new RodTokens(new SecureRandom(), System::nanoTime, TokenLimits.MAX_LIVE_TOKENS);

    static final int RETIRED_CAPACITY = 4096;

    /** A live token; its validity is read without the registry lock, the rest is immutable or guarded by the registry. */
    static final class Live {
        final long id;
        final UnitContext source;
        final List<BlockRange> ranges;
        final long epoch;
        final byte[] token;
        final long timeoutNanos;
        long lastUsedNanos;
        int users;
        private volatile Sense invalid;

        Live(long id, UnitContext source, List<BlockRange> ranges, long epoch, byte[] token, long timeoutNanos) {
            this.id = id;
            this.source = source;
            this.ranges = ranges;
            this.epoch = epoch;
            this.token = token;
            this.timeoutNanos = timeoutNanos;
        }

        long blocks() {
            return BlockRange.totalBlocks(ranges);
        }

        void cancel(Sense why) {
            if (invalid == null) {
                invalid = why;
            }
        }

        /** Cancels this token when its source ranges overlap {@code length} bytes at {@code offset}; true if so. */
        boolean cancelIfOverlapping(long offset, long length) {
            int blockSize = source.blockSize();
            long firstBlock = offset / blockSize;
            long blocks = (offset + length + blockSize - 1) / blockSize - firstBlock;
            for (BlockRange r : ranges) {
                if (r.overlaps(firstBlock, blocks)) {
                    cancel(Sense.TOKEN_CANCELLED);
                    return true;
                }
            }
            return false;
        }

        /** Null while the token still represents its data. */
        Sense invalid() {
            return invalid;
        }
    }

    private final RodToken format;
    private final LongSupplier nanos;
    private final int capacity;
    private final Map<Long, Live> live = new HashMap<>();
    private final Map<Long, Sense> retired = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Sense> eldest) {
            return size() > RETIRED_CAPACITY;
        }
    };

    /** @param nanos a monotonic clock (System::nanoTime, or a test's) */
    RodTokens(SecureRandom random, LongSupplier nanos, int capacity) {
        this.format = new RodToken(random);
        this.nanos = nanos;
        this.capacity = capacity;
    }

    /**
     * A new token for {@code ranges} of {@code source} as of now: the caller holds those ranges
     * (shared) so no write is under way on them, and every later write cancels the token.
     *
     * @throws CheckConditionException INSUFFICIENT RESOURCES TO CREATE ROD TOKEN when full
     */
    synchronized Live create(UnitContext source, List<BlockRange> ranges, long epoch, int timeoutSeconds)
            throws CheckConditionException {
        sweep();
        if (live.size() >= capacity) {
            throw new CheckConditionException(Sense.INSUFFICIENT_RESOURCES_TO_CREATE_ROD_TOKEN);
        }
        long id;
        do {
            id = format.newIdentifier();
        } while (live.containsKey(id) || retired.containsKey(id));
        byte[] token = format.build(id, source.identity().naa(), source.blockSize(),
                BlockRange.totalBlocks(ranges) * source.blockSize());
        Live t = new Live(id, source, ranges, epoch, token, TimeUnit.SECONDS.toNanos(timeoutSeconds));
        t.lastUsedNanos = nanos.getAsLong();
        live.put(id, t);
        source.tokenWatch().add(t);
        return t;
    }

    /**
     * The live token a WRITE USING TOKEN names, now in use until {@link #release}: checked by
     * {@link RodToken#verify}, then EXPIRED, CANCELLED, DELETED or UNKNOWN when not live.
     */
    synchronized Live acquire(byte[] token) throws CheckConditionException {
        long id = format.verify(token);
        sweep();
        Live t = live.get(id);
        if (t == null) {
            Sense why = retired.get(id);
            throw new CheckConditionException(why == null ? Sense.TOKEN_UNKNOWN : why);
        }
        if (t.invalid() != null) {
            retire(t, t.invalid());
            throw new CheckConditionException(t.invalid());
        }
        t.users++;
        return t;
    }

    /** The end of a use of {@code t}: its inactivity timeout starts again, or it is deleted (DEL_TKN). */
    synchronized void release(Live t, boolean delete) {
        t.users--;
        t.lastUsedNanos = nanos.getAsLong();
        if (delete && live.get(t.id) == t) {
            t.cancel(Sense.TOKEN_DELETED);
            retire(t, Sense.TOKEN_DELETED);
        }
    }

    /** Live tokens, for tests and metrics. */
    synchronized int liveCount() {
        sweep();
        return live.size();
    }

    /** Retires expired and cancelled tokens. */
    private void sweep() {
        long now = nanos.getAsLong();
        for (Iterator<Live> i = live.values().iterator(); i.hasNext(); ) {
            Live t = i.next();
            Sense why = t.invalid();
            if (why == null && t.users == 0 && now - t.lastUsedNanos > t.timeoutNanos) {
                why = Sense.TOKEN_EXPIRED;
                t.cancel(why);
            }
            if (why != null && t.users == 0) {
                i.remove();
                t.source.tokenWatch().remove(t);
                retired.put(t.id, why);
            }
        }
    }

    private void retire(Live t, Sense why) {
        if (t.users == 0) {
            live.remove(t.id);
            t.source.tokenWatch().remove(t);
            retired.put(t.id, why);
        }
    }
}

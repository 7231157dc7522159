package io.platter.scsi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.MemoryBlockDevice;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.UnitContext;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token registry on a clock the test moves: inactivity timeouts, capacity, cancellation, the MAC key. */
class RodTokensTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final UnitContext unit = new UnitContext(new LunIdentity(UUID.fromString("11111111-2222-4333-8444-555555555555")),
            new MemoryBlockDevice(1 << 20), Runnable::run, PooledByteBufAllocator.DEFAULT);

    private RodTokens tokens(int capacity) {
        return new RodTokens(new SecureRandom(), now::get, capacity);
    }

    private static Sense senseOf(Throwable t) {
        return ((CheckConditionException) t).sense();
    }

    private void advanceSeconds(long s) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    @Test
    void aTokenExpiresAfterItsInactivityTimeoutButNotWhileInUse() throws Exception {
        RodTokens tokens = tokens(8);
        RodTokens.Live t = tokens.create(unit, List.of(new BlockRange(0, 8)), 0, 5);
        advanceSeconds(5);
        RodTokens.Live used = tokens.acquire(t.token);              // exactly the timeout: still live
        advanceSeconds(60);                                         // in use: never expires
        assertThat(tokens.liveCount()).isEqualTo(1);
        tokens.release(used, false);                                // the timeout starts again
        advanceSeconds(5);
        assertThat(tokens.acquire(t.token)).isSameAs(t);
        tokens.release(t, false);
        advanceSeconds(6);
        assertThatThrownBy(() -> tokens.acquire(t.token)).satisfies(e -> assertThat(senseOf(e)).isEqualTo(Sense.TOKEN_EXPIRED));
        assertThat(tokens.liveCount()).isZero();
    }

    @Test
    void theNumberOfLiveTokensIsBoundedAndFreedByExpiry() throws Exception {
        RodTokens tokens = tokens(2);
        tokens.create(unit, List.of(new BlockRange(0, 8)), 0, 10);
        tokens.create(unit, List.of(new BlockRange(8, 8)), 0, 20);
        assertThatThrownBy(() -> tokens.create(unit, List.of(new BlockRange(16, 8)), 0, 10))
                .satisfies(e -> assertThat(senseOf(e)).isEqualTo(Sense.INSUFFICIENT_RESOURCES_TO_CREATE_ROD_TOKEN));
        advanceSeconds(11);
        tokens.create(unit, List.of(new BlockRange(16, 8)), 0, 10);
        assertThat(tokens.liveCount()).isEqualTo(2);
    }

    @Test
    void writesCancelOnlyOverlappingTokens() throws Exception {
        RodTokens tokens = tokens(8);
        RodTokens.Live a = tokens.create(unit, List.of(new BlockRange(0, 8), new BlockRange(100, 8)), 0, 10);
        RodTokens.Live b = tokens.create(unit, List.of(new BlockRange(8, 8)), 0, 10);
        unit.tokenWatch().written(107 * 512 + 511, 1);              // the last byte of a's second range
        assertThat(a.invalid()).isEqualTo(Sense.TOKEN_CANCELLED);
        assertThat(b.invalid()).isNull();
        unit.tokenWatch().written(16 * 512, 4096);                  // just past b
        assertThat(b.invalid()).isNull();
        assertThatThrownBy(() -> tokens.acquire(a.token)).satisfies(e -> assertThat(senseOf(e)).isEqualTo(Sense.TOKEN_CANCELLED));
        // Remembered as cancelled, not unknown, after it left the live set.
        assertThatThrownBy(() -> tokens.acquire(a.token)).satisfies(e -> assertThat(senseOf(e)).isEqualTo(Sense.TOKEN_CANCELLED));
        assertThat(tokens.acquire(b.token)).isSameAs(b);
    }

    @Test
    void anotherDaemonsKeyMakesTheTokenCorrupt() throws Exception {
        RodTokens.Live t = tokens(8).create(unit, List.of(new BlockRange(0, 8)), 0, 10);
        assertThatThrownBy(() -> tokens(8).acquire(t.token))
                .satisfies(e -> assertThat(senseOf(e)).isEqualTo(Sense.TOKEN_CORRUPT));
    }

    @Test
    void tokensDiffer() throws Exception {
        RodTokens tokens = tokens(8);
        byte[] a = tokens.create(unit, List.of(new BlockRange(0, 8)), 0, 10).token;
        byte[] b = tokens.create(unit, List.of(new BlockRange(0, 8)), 0, 10).token;
        assertThat(a).hasSize(512).isNotEqualTo(b);
    }
}

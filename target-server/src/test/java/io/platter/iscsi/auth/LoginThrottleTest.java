package io.platter.iscsi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final String A = "iqn.2026-12.io.platter:a";
    private static final String B = "iqn.2026-12.io.platter:b";
    private final AtomicLong now = new AtomicLong(1_000);
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(1), Duration.ofMinutes(2), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void fiveFailuresInAMinuteBlockTheSourceTargetAndUserForAWhile() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("10.0.0.1", A, "alice");
            advance(Duration.ofSeconds(10));
        }
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isFalse();
        throttle.failed("10.0.0.1", A, "alice");
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isTrue();
        assertThat(throttle.blocked("10.0.0.2", A, "alice")).as("other sources are unaffected").isFalse();
        advance(Duration.ofSeconds(119));
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isTrue();
        advance(Duration.ofSeconds(2));
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isFalse();
        assertThat(throttle.failures()).isEqualTo(5);
    }

    @Test
    void failuresAgainstOneTargetNeverBlockALoginToAnother() {
        // Issue 15 item 7: five wrong logins to one target blocked the address for every target.
        for (int i = 0; i < 50; i++) {
            throttle.failed("10.0.0.1", A, "alice");
        }
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isTrue();
        assertThat(throttle.blocked("10.0.0.1", B, "alice")).as("the same user on another target").isFalse();
        assertThat(throttle.blocked("10.0.0.1", B, "bob")).as("another user on another target").isFalse();
        assertThat(throttle.blocked("10.0.0.1", "discovery", "disco")).isFalse();
        assertThat(throttle.blocked("10.0.0.1", A, "bob")).as("another user of the same target").isFalse();
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotBlock() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("10.0.0.1", A, "alice");
            advance(Duration.ofSeconds(16));
        }
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isFalse();
        assertThat(throttle.failures()).isEqualTo(10);
    }

    @Test
    void guessesFromManyAddressesBlockTheTargetsUserButNotOtherTargets() {
        // Issue 21 finding 11: 55 addresses x 4 guesses each went unthrottled.
        int shared = 5 * LoginThrottle.SHARED_FACTOR;
        for (int i = 0; i < shared - 1; i++) {
            String source = "10.0.0." + i;
            assertThat(throttle.blocked(source, A, "alice")).isFalse();
            throttle.failed(source, A, "alice");
        }
        assertThat(throttle.blocked("10.0.1.1", A, "alice")).isFalse();
        throttle.failed("10.0.0.99", A, "alice");
        assertThat(throttle.blocked("10.0.1.1", A, "alice")).as("the target's user, from a fresh address").isTrue();
        assertThat(throttle.blocked("10.0.1.1", B, "alice")).as("the same user on another target").isFalse();
        assertThat(throttle.blocked("10.0.1.1", A, null)).as("unknown names cannot be guessed right").isFalse();
        advance(Duration.ofSeconds(121));
        assertThat(throttle.blocked("10.0.1.1", A, "alice")).isFalse();
    }

    @Test
    void unknownUserNamesCountPerSourceButNeverInTheSharedRecord() {
        for (int i = 0; i < 5 * LoginThrottle.SHARED_FACTOR; i++) {
            throttle.failed("10.0.0." + i, A, null);
        }
        assertThat(throttle.blocked("10.0.1.1", A, null)).isFalse();
        assertThat(throttle.blocked("10.0.1.1", A, "alice")).isFalse();
        for (int i = 0; i < 5; i++) {
            throttle.failed("10.0.2.1", A, null);
        }
        assertThat(throttle.blocked("10.0.2.1", A, null)).isTrue();
        assertThat(throttle.blocked("10.0.2.1", A, "alice")).as("the right name from that address").isFalse();
    }

    @Test
    void blocksAreListedAndUnblockLiftsThemAtOnce() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("10.0.0.1", A, "alice");
            throttle.failed("10.0.0.2", B, null);
        }
        advance(Duration.ofSeconds(30));
        assertThat(throttle.blocks()).containsExactly(
                new LoginThrottle.Block("10.0.0.1", A, "alice", 5, Duration.ofSeconds(90)),
                new LoginThrottle.Block("10.0.0.2", B, LoginThrottle.UNKNOWN_USER, 5, Duration.ofSeconds(90)));
        assertThat(throttle.unblock(null, A.toUpperCase(), null)).as("IQNs compare case-insensitively").isEqualTo(1);
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).isFalse();
        assertThat(throttle.blocked("10.0.0.2", B, null)).isTrue();
        throttle.failed("10.0.0.1", A, "alice");
        assertThat(throttle.blocked("10.0.0.1", A, "alice")).as("its failures were forgotten too").isFalse();
        assertThat(throttle.unblock("10.0.0.9", null, null)).isZero();
        assertThat(throttle.unblock(null, null, null)).isEqualTo(1);
        assertThat(throttle.blocks()).isEmpty();
    }
}

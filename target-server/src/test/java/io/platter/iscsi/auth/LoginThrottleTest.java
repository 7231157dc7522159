package io.platter.iscsi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(1), Duration.ofMinutes(2), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void fiveFailuresInAMinuteBlockTheSourceForAWhile() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("10.0.0.1");
            advance(Duration.ofSeconds(10));
        }
        assertThat(throttle.blocked("10.0.0.1")).isFalse();
        throttle.failed("10.0.0.1");
        assertThat(throttle.blocked("10.0.0.1")).isTrue();
        assertThat(throttle.blocked("10.0.0.2")).as("other sources are unaffected").isFalse();
        advance(Duration.ofSeconds(119));
        assertThat(throttle.blocked("10.0.0.1")).isTrue();
        advance(Duration.ofSeconds(2));
        assertThat(throttle.blocked("10.0.0.1")).isFalse();
        assertThat(throttle.failures()).isEqualTo(5);
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotBlock() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("10.0.0.1");
            advance(Duration.ofSeconds(16));
        }
        assertThat(throttle.blocked("10.0.0.1")).isFalse();
        assertThat(throttle.failures()).isEqualTo(10);
    }

    @Test
    void guessesFromManyAddressesBlockTheTargetAndTheUser() {
        // Issue 21 finding 11: 55 addresses x 4 guesses each went unthrottled.
        int shared = 5 * LoginThrottle.SHARED_FACTOR;
        for (int i = 0; i < shared - 1; i++) {
            String source = "10.0.0." + i;
            assertThat(throttle.blocked(source, "iqn.t", "alice")).isFalse();
            throttle.failed(source, "iqn.t", "alice");
        }
        assertThat(throttle.blocked("10.0.1.1", "iqn.t", null)).isFalse();
        throttle.failed("10.0.0.99", "iqn.t", "alice");
        assertThat(throttle.blocked("10.0.1.1", "iqn.t", null)).as("the target, from a fresh address").isTrue();
        assertThat(throttle.blocked("10.0.1.1", "iqn.other", "alice")).as("the user, on another target").isTrue();
        assertThat(throttle.blocked("10.0.1.1", "iqn.other", "bob")).as("another user elsewhere").isFalse();
        advance(Duration.ofSeconds(121));
        assertThat(throttle.blocked("10.0.1.1", "iqn.t", "alice")).isFalse();
    }

    @Test
    void unknownUserNamesAreNotRemembered() {
        for (int i = 0; i < 5 * LoginThrottle.SHARED_FACTOR; i++) {
            throttle.failed("10.0.0." + i, "iqn.t" + i, null);
        }
        assertThat(throttle.blocked("10.0.1.1", "iqn.x", null)).isFalse();
    }
}

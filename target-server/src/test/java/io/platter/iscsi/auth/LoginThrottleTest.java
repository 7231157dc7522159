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
}

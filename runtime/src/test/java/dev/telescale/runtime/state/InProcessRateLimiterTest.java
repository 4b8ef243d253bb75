package dev.telescale.runtime.state;

import dev.telescale.runtime.state.RateLimiter.Bucket;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InProcessRateLimiterTest extends RateLimiterContract {
    private final FakeClock clock = new FakeClock();
    private final InProcessRateLimiter limiter = new InProcessRateLimiter(clock);

    @Override
    RateLimiter limiter() {
        return limiter;
    }

    @Override
    RateLimiter otherInstance() {
        return limiter;
    }

    @Override
    void advance(Duration duration) {
        clock.advance(duration);
    }

    @Override
    long slackMillis() {
        return 0;
    }

    @Override
    long nowMillis() {
        return clock.millis();
    }

    @Override
    void runWindow(Duration window) throws InterruptedException {
        for (long stepped = 0; stepped < window.toMillis(); stepped += 10) {
            Thread.sleep(1);
            clock.advance(Duration.ofMillis(10));
        }
    }

    @Test
    void tryAcquire_idleBuckets_areForgottenAfterAMinute() {
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire(List.of(bucket("chat" + i, 1, 1)))).isZero();
        }
        limiter.penalize(prefix + "blocked", Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(2));
        assertThat(limiter.tryAcquire(List.of(bucket("fresh", 1, 1)))).isZero();
        assertThat(limiter.size()).as("the blocked and the fresh bucket stay").isEqualTo(2);
        assertThat(limiter.tryAcquire(List.of(bucket("blocked", 1, 1)))).isPositive();
    }

    @Test
    void tryAcquire_exactRefill_waitShrinksWithTime() {
        Bucket chat = bucket("chat", 1, 1);
        assertThat(limiter.tryAcquire(List.of(chat))).isZero();
        clock.advance(Duration.ofMillis(300));
        assertThat(limiter.tryAcquire(List.of(chat))).isEqualTo(700);
        clock.advance(Duration.ofMillis(699));
        assertThat(limiter.tryAcquire(List.of(chat))).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire(List.of(chat))).isZero();
    }
}

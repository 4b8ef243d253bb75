package dev.telescale.runtime.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link LocalSendRateLimiter} on a fake clock. */
class SenderRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> java.time.Instant.ofEpochMilli(now.get());

    private static final SendLimits EXACT = new SendLimits(30, 30, 1, 3, 20, 0.5, Duration.ZERO);

    private LocalSendRateLimiter limiter(SendLimits limits) {
        return new LocalSendRateLimiter(limits, clock);
    }

    @Test
    void tryAcquire_privateChat_allowsTheBurstThenOnePerSecond() {
        LocalSendRateLimiter limiter = limiter(EXACT);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(1, 10, false)).isZero();
        }

        long wait = limiter.tryAcquire(1, 10, false);

        assertThat(wait).isEqualTo(1_000);
        now.addAndGet(wait - 1);
        assertThat(limiter.tryAcquire(1, 10, false)).isPositive();
        now.addAndGet(1);
        assertThat(limiter.tryAcquire(1, 10, false)).isZero();
        assertThat(limiter.tryAcquire(1, 11, false)).as("another chat").isZero();
    }

    @Test
    void tryAcquire_safetyMargin_spacesMessagesAfterTheFirstBySomeMilliseconds() {
        LocalSendRateLimiter limiter = limiter(SendLimits.telegramDefaults());
        assertThat(limiter.tryAcquire(1, 10, false)).isZero();
        assertThat(limiter.tryAcquire(1, 10, false)).isZero();
        assertThat(limiter.tryAcquire(1, 10, false)).as("1 token left, 1.05 needed").isBetween(50L, 51L);
        now.addAndGet(51);
        assertThat(limiter.tryAcquire(1, 10, false)).isZero();
        assertThat(limiter.tryAcquire(1, 10, false)).isBetween(1_000L, 1_050L);
    }

    @Test
    void tryAcquire_group_allowsTwentyPerMinute() {
        LocalSendRateLimiter limiter = limiter(EXACT);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire(1, -100, true)).isZero();
        }
        assertThat(limiter.tryAcquire(1, -100, true)).isEqualTo(3_000L);
    }

    @Test
    void tryAcquire_bot_isLimitedAcrossChatsAndARefusalTakesNothing() {
        LocalSendRateLimiter limiter = limiter(EXACT);
        for (int chat = 0; chat < 30; chat++) {
            assertThat(limiter.tryAcquire(1, 100 + chat, false)).isZero();
        }
        assertThat(limiter.tryAcquire(1, 500, false)).isEqualTo(34);
        assertThat(limiter.tryAcquire(1, 500, false)).as("a refusal took nothing").isEqualTo(34);
        assertThat(limiter.botNearLimit(1)).isTrue();
        assertThat(limiter.tryAcquire(2, 500, false)).as("another bot").isZero();

        now.addAndGet(34);
        assertThat(limiter.tryAcquire(1, 500, false)).isZero();
    }

    @Test
    void tryAcquire_broadcasts_useOnlyTheirShareOfTheBot() {
        LocalSendRateLimiter limiter = limiter(EXACT);
        int broadcasts = 0;
        for (int chat = 0; chat < 30; chat++) {
            if (limiter.tryAcquire(1, 100 + chat, false, OutboundMessage.BROADCAST) == 0) {
                broadcasts++;
            }
        }
        assertThat(broadcasts).isEqualTo(15);
        assertThat(limiter.tryAcquire(1, 999, false, OutboundMessage.CONVERSATION)).isZero();
    }

    @Test
    void pauses_holdTheChatOrTheWholeBot() {
        LocalSendRateLimiter limiter = limiter(SendLimits.telegramDefaults());
        limiter.pauseChat(1, 10, Duration.ofSeconds(3));
        assertThat(limiter.tryAcquire(1, 10, false)).isEqualTo(3_000);
        assertThat(limiter.tryAcquire(1, 11, false)).isZero();

        limiter.pauseBot(1, Duration.ofSeconds(5));
        assertThat(limiter.tryAcquire(1, 12, false)).isEqualTo(5_000);
        now.addAndGet(5_000);
        assertThat(limiter.tryAcquire(1, 10, false)).isZero();
    }
}

package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telescale.runtime.state.RateLimiter.Bucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The contract of {@link RateLimiter}, run against every implementation. */
abstract class RateLimiterContract {
    abstract RateLimiter limiter();

    /** The limiter of a second instance sharing the buckets (in process: the same one). */
    abstract RateLimiter otherInstance();

    /** Lets {@code duration} pass for the implementation (a fake clock, or sleeping). */
    abstract void advance(Duration duration) throws InterruptedException;

    /** Slack for waits measured on a real clock (0 for a fake one). */
    abstract long slackMillis();

    /** The implementation's notion of now, in milliseconds (fake or real). */
    abstract long nowMillis();

    /** Lets a hammering window pass: sleeping for Redis, stepping the fake clock in process. */
    abstract void runWindow(Duration window) throws InterruptedException;

    final String prefix = "bucket-" + UUID.randomUUID() + "-";

    Bucket bucket(String key, double ratePerSecond, int burst) {
        return new Bucket(prefix + key, ratePerSecond, burst);
    }

    @Test
    void tryAcquire_withinBurst_takesImmediately() {
        Bucket chat = bucket("chat", 0.01, 3);
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        assertThat(otherInstance().tryAcquire(List.of(chat))).isZero();
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        assertThat(otherInstance().tryAcquire(List.of(chat))).isPositive();
    }

    @Test
    void tryAcquire_emptyBucket_reportsMillisUntilNextToken() {
        Bucket chat = bucket("chat", 2, 1);
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        long wait = limiter().tryAcquire(List.of(chat));
        assertThat(wait).isBetween(500 - slackMillis(), 500L);
    }

    @Test
    void tryAcquire_afterRefill_takesAgain() throws InterruptedException {
        Bucket chat = bucket("chat", 10, 1);
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        advance(Duration.ofMillis(100));
        assertThat(otherInstance().tryAcquire(List.of(chat))).isZero();
        assertThat(limiter().tryAcquire(List.of(chat))).isPositive();
    }

    @Test
    void tryAcquire_twoBucketsOneEmpty_takesFromNeither() {
        Bucket chat = bucket("chat", 0.01, 1);
        Bucket bot = bucket("bot", 0.01, 5);
        assertThat(limiter().tryAcquire(List.of(chat, bot))).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(otherInstance().tryAcquire(List.of(chat, bot))).isPositive();
        }
        for (int i = 0; i < 4; i++) {
            assertThat(limiter().tryAcquire(List.of(bot))).as("bot token %d", i).isZero();
        }
        assertThat(limiter().tryAcquire(List.of(bot))).isPositive();
    }

    @Test
    void tryAcquire_twoBuckets_waitIsTheLongerOne() {
        Bucket chat = bucket("chat", 1, 1);
        Bucket bot = bucket("bot", 4, 1);
        assertThat(limiter().tryAcquire(List.of(chat, bot))).isZero();
        assertThat(limiter().tryAcquire(List.of(chat, bot))).isBetween(1000 - slackMillis(), 1000L);
    }

    @Test
    void tryAcquire_sameKeyTwice_isRejected() {
        Bucket chat = bucket("chat", 1, 1);
        assertThatThrownBy(() -> limiter().tryAcquire(List.of(chat, chat))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter().tryAcquire(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tryAcquire_twoInstancesHammering_neverMoreThanBurstPlusRateTimesWindow() throws Exception {
        double rate = 20;
        int burst = 5;
        Bucket bot = bucket("bot", rate, burst);
        Bucket chat = bucket("chat", 1000, 1000);
        AtomicInteger granted = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        long start = nowMillis();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                RateLimiter side = thread % 2 == 0 ? limiter() : otherInstance();
                workers.add(threads.submit(() -> {
                    while (!stop.get()) {
                        if (side.tryAcquire(List.of(chat, bot)) == 0) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            runWindow(Duration.ofMillis(1500));
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        long elapsedMillis = nowMillis() - start;
        double ceiling = burst + rate * elapsedMillis / 1000.0;
        assertThat((double) granted.get()).as("granted in %d ms", elapsedMillis)
                .isLessThanOrEqualTo(ceiling)
                .isGreaterThanOrEqualTo(burst + rate * elapsedMillis / 1000.0 * 0.5);
    }

    @Test
    void penalize_emptiesAndBlocksForThePause() throws InterruptedException {
        Bucket chat = bucket("chat", 100, 10);
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        otherInstance().penalize(chat.key(), Duration.ofMillis(1200));
        assertThat(limiter().tryAcquire(List.of(chat))).isBetween(1200 - slackMillis(), 1200L);
        advance(Duration.ofMillis(1250));
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
    }

    @Test
    void penalize_afterThePause_oneTokenThenRefillAtRate() throws InterruptedException {
        Bucket bot = bucket("bot", 1, 30);
        limiter().penalize(bot.key(), Duration.ofMillis(500));
        advance(Duration.ofMillis(500));
        assertThat(limiter().tryAcquire(List.of(bot))).isZero();
        assertThat(limiter().tryAcquire(List.of(bot))).isPositive();
    }

    @Test
    void penalize_botBucket_blocksEveryChatOfTheBot() {
        Bucket bot = bucket("bot", 30, 30);
        Bucket chat1 = bucket("chat1", 1, 1);
        Bucket chat2 = bucket("chat2", 1, 1);
        limiter().penalize(bot.key(), Duration.ofSeconds(3));
        assertThat(otherInstance().tryAcquire(List.of(chat1, bot))).isGreaterThan(2000);
        assertThat(otherInstance().tryAcquire(List.of(chat2, bot))).isGreaterThan(2000);
        assertThat(limiter().tryAcquire(List.of(chat1))).as("chat alone was not charged").isZero();
    }

    @Test
    void penalize_shorterPause_doesNotShortenTheBlock() {
        Bucket chat = bucket("chat", 1, 1);
        limiter().penalize(chat.key(), Duration.ofSeconds(5));
        limiter().penalize(chat.key(), Duration.ofSeconds(1));
        assertThat(limiter().tryAcquire(List.of(chat))).isGreaterThan(4000);
    }
}

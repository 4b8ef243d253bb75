package dev.telescale.runtime.state;

import dev.telescale.runtime.state.RateLimiter.Bucket;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rate-limiter contract on the machine's Redis, two connections as two instances, real time. */
class RedisRateLimiterTest extends RateLimiterContract {
    private static final String PREFIX = RedisTesting.randomPrefix();
    private static RedisState one;
    private static RedisState two;

    @BeforeAll
    static void connect() {
        one = RedisTesting.connect(PREFIX);
        two = RedisTesting.connect(PREFIX);
    }

    @AfterAll
    static void disconnect() {
        one.close();
        two.close();
        RedisTesting.deleteKeys(PREFIX);
    }

    @Override
    RateLimiter limiter() {
        return one.rateLimiter();
    }

    @Override
    RateLimiter otherInstance() {
        return two.rateLimiter();
    }

    @Override
    void advance(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    long slackMillis() {
        return 200;
    }

    @Override
    long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    void runWindow(Duration window) throws InterruptedException {
        Thread.sleep(window);
    }

    @Test
    void tryAcquire_bucketKeys_expireOnceRefilled() {
        Bucket chat = bucket("chat", 1, 2);
        assertThat(limiter().tryAcquire(List.of(chat))).isZero();
        RedisClient client = RedisClient.create(RedisTesting.URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long ttl = connection.sync().pttl(PREFIX + "rl:" + chat.key());
            assertThat(ttl).isBetween(2_500L, 3_000L);
        } finally {
            client.shutdown();
        }
    }
}

package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.telescale.runtime.state.RateLimiter.Bucket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A Redis outage against a private redis-server (the machine's Redis serves other tests): killed,
 * then restarted empty on the same port.
 */
class RedisStateOutageTest {
    private static final String PREFIX = RedisTesting.randomPrefix();

    @Test
    void redisKilledThenRestarted_failsFastReportsHealthDegradesAndRecovers() throws Exception {
        assumeThat(RedisServerProcess.binaryAvailable()).as("redis-server is installed").isTrue();
        FakeClock clock = new FakeClock();
        List<Boolean> healthChanges = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        List<String> late = new CopyOnWriteArrayList<>();
        Bucket bot = new Bucket("bot", 0.001, 4);
        try (RedisServerProcess server = RedisServerProcess.start();
                RedisState state = RedisState.connect(server.url(), PREFIX, InstantSource.system(), healthChanges::add);
                RedisState publisher = RedisState.connect(server.url(), PREFIX, InstantSource.system(), healthy -> { });
                DegradingState degrading = DegradingState.over(
                        RedisState.connect(server.url(), PREFIX, clock, healthy -> { }), 2, clock)) {
            state.pubSub().subscribe("events", events::add);
            publisher.pubSub().publish("events", "before");
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("before"));
            assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).as("through Redis").isZero();

            long killedAt = System.nanoTime();
            server.kill();
            assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).as("at once, before the probe notices").isZero();
            await().atMost(Duration.ofSeconds(3)).until(() -> !state.isHealthy());
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(1)).until(() -> healthChanges.equals(List.of(false)));
            assertThat(state.describe()).contains("unreachable since");

            assertFailsFast(() -> state.leases().tryAcquire("poller", "me", Duration.ofSeconds(10)));
            assertFailsFast(() -> state.rateLimiter().tryAcquire(List.of(bot)));
            assertFailsFast(() -> state.rateLimiter().penalize("bot", Duration.ofSeconds(1)));
            assertFailsFast(() -> state.cache().get("user"));
            assertFailsFast(() -> state.pubSub().publish("events", "lost"));
            AutoCloseable lateSubscription = state.pubSub().subscribe("late", late::add);

            await().atMost(Duration.ofSeconds(3)).until(degrading::isDegraded);
            assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).as("local burst 4 / 2, second token").isZero();
            assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).as("local burst exhausted").isPositive();
            assertThat(degrading.counters().degradedCalls()).isGreaterThanOrEqualTo(3);

            server.restart();
            await().atMost(Duration.ofSeconds(10)).until(() -> state.isHealthy() && publisher.isHealthy() && !degrading.isDegraded());
            assertThat(healthChanges).containsExactly(false, true);
            publisher.pubSub().publish("events", "after");
            publisher.pubSub().publish("late", "hello");
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("after") && late.contains("hello"));
            assertThat(events).containsExactly("before", "after");

            long degradedBefore = degrading.counters().degradedCalls();
            for (int i = 0; i < 4; i++) {
                assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).as("fresh Redis bucket, token %d", i).isZero();
            }
            assertThat(degrading.rateLimiter().tryAcquire(List.of(bot))).isPositive();
            assertThat(degrading.counters().degradedCalls()).isEqualTo(degradedBefore);
            lateSubscription.close();
        }
    }

    private static void assertFailsFast(ThrowingCallable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call).isInstanceOf(StateUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
}

package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.telescale.runtime.state.RateLimiter.Bucket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DegradingState} against a private redis-server that the test pauses (SIGSTOP: a hung
 * server whose data survives) and resumes. The fallback runs on a fake clock.
 */
class DegradingStateTest {
    private static final Duration LEASE_TTL = Duration.ofSeconds(30);
    private final FakeClock clock = new FakeClock();
    private RedisServerProcess server;
    private DegradingState state;

    @BeforeEach
    void start() throws Exception {
        assumeThat(RedisServerProcess.binaryAvailable()).as("redis-server is installed").isTrue();
        server = RedisServerProcess.start();
        state = DegradingState.over(RedisState.connect(server.url(), RedisTesting.randomPrefix(), clock, healthy -> { }), 3, clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (state != null) {
            state.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void outage() throws Exception {
        server.pause();
        await().atMost(Duration.ofSeconds(3)).until(state::isDegraded);
    }

    private void recovery() throws Exception {
        server.resume();
        await().atMost(Duration.ofSeconds(5)).until(state::isHealthy);
    }

    @Test
    void rateLimiter_duringOutage_dividesRateAndBurstByInstancesHint() throws Exception {
        Bucket bot = new Bucket("bot", 30, 30);
        outage();
        for (int i = 0; i < 10; i++) {
            assertThat(state.rateLimiter().tryAcquire(List.of(bot))).as("token %d of 30 / 3", i).isZero();
        }
        assertThat(state.rateLimiter().tryAcquire(List.of(bot))).as("a token every 1000 / 10 ms").isEqualTo(100);
        clock.advance(Duration.ofMillis(100));
        assertThat(state.rateLimiter().tryAcquire(List.of(bot))).isZero();
        assertThat(state.describe()).contains("degraded");
    }

    @Test
    void penalize_whileHealthy_isHonouredByTheFallback() throws Exception {
        Bucket chat = new Bucket("chat", 1, 1);
        state.rateLimiter().penalize(chat.key(), Duration.ofSeconds(20));
        assertThat(state.rateLimiter().tryAcquire(List.of(chat))).as("through Redis").isPositive();
        outage();
        assertThat(state.rateLimiter().tryAcquire(List.of(chat))).as("locally").isEqualTo(20_000);
    }

    @Test
    void leases_duringOutage_heldLeaseRenewsUntilItsTtlNewOnesAreRefused() throws Exception {
        assertThat(state.leases().tryAcquire("poller", "me", LEASE_TTL)).isTrue();
        clock.advance(Duration.ofSeconds(10));
        assertThat(state.leases().renew("poller", "me", LEASE_TTL)).isTrue();
        outage();

        assertThat(state.leases().tryAcquire("other-bot", "me", LEASE_TTL)).as("new lease").isFalse();
        assertThat(state.leases().renew("poller", "someone-else", LEASE_TTL)).isFalse();
        clock.advance(Duration.ofSeconds(29));
        assertThat(state.leases().renew("poller", "me", LEASE_TTL)).as("within the last confirmed TTL").isTrue();
        assertThat(state.leases().tryAcquire("poller", "me", LEASE_TTL)).isTrue();
        assertThat(state.leases().holder("poller")).contains("me");
        clock.advance(Duration.ofSeconds(1));
        assertThat(state.leases().renew("poller", "me", LEASE_TTL)).as("local renewals never extend it").isFalse();
        assertThat(state.leases().holder("poller")).isEmpty();

        recovery();
        assertThat(state.leases().renew("poller", "me", LEASE_TTL)).as("Redis still has it").isTrue();
        assertThat(state.leases().tryAcquire("other-bot", "me", LEASE_TTL)).isTrue();
    }

    @Test
    void cache_duringOutage_missesAndStaleEntriesAreDeletedOnRecovery() throws Exception {
        state.cache().put("user:1", "v1", Duration.ofMinutes(5));
        state.cache().put("user:2", "kept", Duration.ofMinutes(5));
        state.cache().put("user:3", "v1", Duration.ofMinutes(5));
        assertThat(state.cache().get("user:1")).contains("v1");
        outage();

        assertThat(state.cache().get("user:2")).isEmpty();
        state.cache().put("user:1", "v2", Duration.ofMinutes(5));
        state.cache().delete("user:3");

        recovery();
        assertThat(state.cache().get("user:1")).as("v1 is stale, v2 never arrived").isEmpty();
        assertThat(state.cache().get("user:3")).isEmpty();
        assertThat(state.cache().get("user:2")).contains("kept");
    }

    @Test
    void pubSub_duringOutage_dropsPublishesAndCountsThem() throws Exception {
        outage();
        state.pubSub().publish("events", "lost");
        state.pubSub().publish("events", "lost too");
        assertThat(state.counters().droppedPublishes()).isEqualTo(2);
    }
}

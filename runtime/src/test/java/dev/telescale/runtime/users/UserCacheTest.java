package dev.telescale.runtime.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.state.FakeClock;
import dev.telescale.runtime.state.InProcessState;
import dev.telescale.runtime.state.RedisState;
import dev.telescale.runtime.state.SharedCache;
import dev.telescale.runtime.state.SharedState;
import dev.telescale.runtime.storage.Database;
import dev.telescale.runtime.storage.TelegramUser;
import dev.telescale.runtime.storage.UserStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The user cache as two instances see it, on the embedded defaults (SQLite, in-process state
 * shared by both) and on the machine's PostgreSQL and Redis (two {@link RedisState} connections
 * under one random key prefix). Only L1 time is faked; Redis expiries are real.
 */
@ParameterizedClass
@EnumSource(UserCacheTest.Backend.class)
class UserCacheTest {
    enum Backend { SQLITE_IN_PROCESS, POSTGRESQL_REDIS }

    private static final String POSTGRESQL = "127.0.0.1:5432/test";
    private static final String REDIS = "redis://127.0.0.1:6379";
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final TelegramUser ALICE = new TelegramUser(1001, "Alice", null, "alice", "en", false);
    private static final TelegramUser ALICE_RENAMED = new TelegramUser(1001, "Alicia", "Smith", "alice", "de", true);

    @Parameter
    Backend backend;
    @TempDir
    Path tempDir;

    private final FakeClock clock = new FakeClock();
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private Database database;
    private String schema;
    private String prefix;
    private SharedState stateA;
    private SharedState stateB;
    private UserStore store;
    private UserCache a;
    private UserCache b;

    @BeforeEach
    void openInstances() {
        switch (backend) {
            case SQLITE_IN_PROCESS -> {
                database = Database.open("sqlite:" + tempDir.resolve("users.db"), 4);
                stateA = new InProcessState(clock);
                stateB = stateA;
            }
            case POSTGRESQL_REDIS -> {
                schema = "t_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
                adminExecute("CREATE SCHEMA " + schema);
                database = Database.open("postgresql://postgres@" + POSTGRESQL + "?currentSchema=" + schema, 4);
                prefix = "telescale-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
                stateA = RedisState.connect(REDIS, prefix, InstantSource.system(), healthy -> { });
                stateB = RedisState.connect(REDIS, prefix, InstantSource.system(), healthy -> { });
            }
        }
        database.migrate(List.of());
        store = new UserStore(database, clock);
        a = instance(stateA.cache(), stateA, 1_000);
        b = instance(stateB.cache(), stateB, 1_000);
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (AutoCloseable subscription : subscriptions) {
            subscription.close();
        }
        stateA.close();
        if (stateB != stateA) {
            stateB.close();
        }
        database.close();
        if (schema != null) {
            adminExecute("DROP SCHEMA " + schema + " CASCADE");
        }
        if (prefix != null) {
            deleteRedisKeys(prefix);
        }
    }

    @Test
    void get_unknownUser_missesEveryTierAndCachesNoAbsence() {
        assertThat(a.get(ALICE.userId())).isEmpty();
        assertThat(a.stats()).isEqualTo(stats(0, 1, 0, 1, 0, 1, 0));

        store.upsertUsers(List.of(ALICE));
        assertThat(a.get(ALICE.userId())).contains(ALICE);
    }

    @Test
    void get_storedUser_walksTheTiersAndFillsThemBack() {
        store.upsertUsers(List.of(ALICE));

        assertThat(a.get(ALICE.userId())).contains(ALICE);
        assertThat(a.stats()).isEqualTo(stats(0, 1, 0, 1, 1, 0, 0));
        assertThat(stateA.cache().get("user:" + ALICE.userId())).contains(UserCache.toUserObject(ALICE));
        assertThat(a.get(ALICE.userId())).contains(ALICE);
        assertThat(a.stats()).isEqualTo(stats(1, 1, 0, 1, 1, 0, 0));

        assertThat(b.get(ALICE.userId())).contains(ALICE);
        assertThat(b.get(ALICE.userId())).contains(ALICE);
        assertThat(b.stats()).isEqualTo(stats(1, 1, 1, 0, 0, 0, 0));
        assertThat(b.stats().l1().hitRate()).isEqualTo(0.5);
    }

    @Test
    void get_withoutL2_looksInL1ThenTheDatabaseOnly() {
        List<String> seen = new ArrayList<>();
        UserCache withoutL2 = new UserCache(store, SharedCache.NONE, stateA.pubSub(),
                new UserCache.Settings(100, TTL, UserCache.DEFAULT_SHARED_TTL), clock,
                (tier, hit) -> seen.add(tier.label() + (hit ? " hit" : " miss")));
        store.upsertUsers(List.of(ALICE));

        assertThat(withoutL2.get(ALICE.userId())).contains(ALICE);
        assertThat(withoutL2.get(ALICE.userId())).contains(ALICE);

        assertThat(seen).containsExactly("l1 miss", "db hit", "l1 hit");
        assertThat(withoutL2.stats().l2()).isEqualTo(new CacheStats.Counts(0, 0));
    }

    @Test
    void get_listener_seesEveryTierLookup() {
        List<String> seen = new ArrayList<>();
        UserCache listened = new UserCache(store, stateA.cache(), stateA.pubSub(),
                new UserCache.Settings(100, TTL, UserCache.DEFAULT_SHARED_TTL), clock,
                (tier, hit) -> seen.add(tier.label() + (hit ? " hit" : " miss")));
        store.upsertUsers(List.of(ALICE));

        listened.get(ALICE.userId());
        listened.get(ALICE.userId());

        assertThat(seen).containsExactly("l1 miss", "l2 miss", "db hit", "l1 hit");
    }

    @Test
    void get_manyThreadsAtOnce_loadTheUserOnce() throws Exception {
        store.upsertUsers(List.of(ALICE));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Optional<TelegramUser>>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(threads.submit(() -> a.get(ALICE.userId())));
            }
            for (Future<Optional<TelegramUser>> result : results) {
                assertThat(result.get(5, TimeUnit.SECONDS)).contains(ALICE);
            }
        }
        assertThat(a.stats().database()).isEqualTo(new CacheStats.Counts(1, 0));
        assertThat(a.stats().l1()).isEqualTo(new CacheStats.Counts(99, 1));
    }

    @Test
    void observe_sameUserAgainAndAgain_writesTheDatabaseOnce() {
        long firstSeen = clock.millis();
        a.observe(ALICE);
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofSeconds(1));
            a.observe(ALICE);
            b.observe(ALICE);
        }

        assertThat(updatedAt(ALICE.userId())).isEqualTo(firstSeen);
        assertThat(a.stats().databaseWrites() + b.stats().databaseWrites()).isEqualTo(1);
        assertThat(a.stats().database().lookups() + b.stats().database().lookups()).isEqualTo(1);
        // the first observe's own invalidation may arrive after an L1 fill and cost one more L2 read
        assertThat(b.stats().l1().hits()).isBetween(98L, 99L);
    }

    @Test
    void observe_changedUser_writesEveryTier() {
        a.observe(ALICE);
        clock.advance(Duration.ofSeconds(1));

        a.observe(ALICE_RENAMED);

        assertThat(updatedAt(ALICE.userId())).isEqualTo(clock.millis());
        assertThat(store.find(ALICE.userId())).contains(ALICE_RENAMED);
        assertThat(stateB.cache().get("user:" + ALICE.userId())).contains(UserCache.toUserObject(ALICE_RENAMED));
        assertThat(a.get(ALICE.userId())).contains(ALICE_RENAMED);
        assertThat(a.stats().databaseWrites()).isEqualTo(2);
    }

    @Test
    void observe_onInstanceA_dropsTheL1EntryOfInstanceBWithinASecond() {
        store.upsertUsers(List.of(ALICE));
        assertThat(b.get(ALICE.userId())).contains(ALICE);
        assertThat(b.get(ALICE.userId())).contains(ALICE);
        assertThat(b.stats().l1().hits()).isEqualTo(1);

        a.observe(ALICE_RENAMED);

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> b.get(ALICE.userId()).equals(Optional.of(ALICE_RENAMED)));
        assertThat(b.stats().databaseWrites()).isZero();
    }

    @Test
    void invalidate_afterADatabaseChange_dropsL2AndEveryL1() {
        store.upsertUsers(List.of(ALICE));
        assertThat(a.get(ALICE.userId())).contains(ALICE);
        assertThat(b.get(ALICE.userId())).contains(ALICE);
        store.upsertUsers(List.of(ALICE_RENAMED));

        a.invalidate(ALICE.userId());

        assertThat(a.get(ALICE.userId())).contains(ALICE_RENAMED);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> b.get(ALICE.userId()).equals(Optional.of(ALICE_RENAMED)));
    }

    @Test
    void get_afterTheTtl_missesL1AndReloads() {
        store.upsertUsers(List.of(ALICE));
        a.get(ALICE.userId());
        clock.advance(TTL.minusSeconds(1));
        a.get(ALICE.userId());
        CacheStats before = a.stats();
        assertThat(before.l1().hits()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(a.get(ALICE.userId())).contains(ALICE);

        CacheStats after = a.stats();
        assertThat(after.l1().misses()).isEqualTo(before.l1().misses() + 1);
        assertThat(after.l2().hits()).isEqualTo(before.l2().hits() + 1);
        assertThat(a.get(ALICE.userId())).contains(ALICE);
        assertThat(a.stats().l1().hits()).isEqualTo(2);
    }

    @Test
    void get_sizeZero_skipsL1AndStillAvoidsDatabaseWrites() {
        UserCache uncached = instance(stateA.cache(), stateA, 0);

        uncached.observe(ALICE);
        uncached.observe(ALICE);
        assertThat(uncached.get(ALICE.userId())).contains(ALICE);

        CacheStats stats = uncached.stats();
        assertThat(stats.l1().lookups()).isZero();
        assertThat(stats.l2()).isEqualTo(new CacheStats.Counts(2, 1));
        assertThat(stats.databaseWrites()).isEqualTo(1);
    }

    @Test
    void get_invalidatedWhileLoading_leavesNoStaleValueInL1() throws Exception {
        store.upsertUsers(List.of(ALICE));
        a.get(ALICE.userId());
        GatedCache gated = new GatedCache(stateA.cache());
        UserCache slow = instance(gated, stateA, 1_000);
        gated.armed.set(true);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<TelegramUser>> loading = threads.submit(() -> slow.get(ALICE.userId()));
            assertThat(gated.valueRead.await(5, TimeUnit.SECONDS)).isTrue();
            b.observe(ALICE_RENAMED);
            slow.invalidate(ALICE.userId());
            b.observe(ALICE_RENAMED);
            gated.release.countDown();
            assertThat(loading.get(5, TimeUnit.SECONDS)).contains(ALICE);
        }

        assertThat(slow.get(ALICE.userId())).contains(ALICE_RENAMED);
    }

    @Test
    void observe_update_recordsItsSenderAndSenderNeedsNoLookup() throws Exception {
        Update update = new Update(7, 70, "message", new ObjectMapper().readTree("""
                {"update_id": 70, "message": {"message_id": 1, "date": 1, "text": "hi",
                 "chat": {"id": 1001, "type": "private"},
                 "from": {"id": 1001, "is_bot": false, "first_name": "Alice", "username": "alice",
                          "language_code": "en"}}}"""));

        a.observe(update);
        CacheStats afterObserve = a.stats();

        assertThat(store.find(ALICE.userId())).contains(ALICE);
        assertThat(a.sender(update)).contains(ALICE);
        assertThat(a.stats()).isEqualTo(afterObserve);
        assertThat(b.find(ALICE.userId())).contains(ALICE);
    }

    private UserCache instance(SharedCache l2, SharedState state, int maxSize) {
        UserCache cache = new UserCache(store, l2, state.pubSub(),
                new UserCache.Settings(maxSize, TTL, UserCache.DEFAULT_SHARED_TTL), clock, UserCache.Listener.NONE);
        subscriptions.add(cache.subscribe());
        return cache;
    }

    private long updatedAt(long userId) {
        return database.withHandle(handle -> handle.createQuery("SELECT updated_at FROM telegram_users WHERE user_id = :id")
                .bind("id", userId).mapTo(Long.class).one());
    }

    private static CacheStats stats(long l1Hits, long l1Misses, long l2Hits, long l2Misses, long dbHits, long dbMisses,
                                    long writes) {
        return new CacheStats(new CacheStats.Counts(l1Hits, l1Misses), new CacheStats.Counts(l2Hits, l2Misses),
                new CacheStats.Counts(dbHits, dbMisses), writes);
    }

    /** Holds the first get after arming between reading L2 and returning, so a test can act meanwhile. */
    private static final class GatedCache implements SharedCache {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch valueRead = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final SharedCache delegate;

        GatedCache(SharedCache delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<String> get(String key) {
            Optional<String> value = delegate.get(key);
            if (armed.compareAndSet(true, false)) {
                valueRead.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return value;
        }

        @Override
        public void put(String key, String value, Duration ttl) {
            delegate.put(key, value, ttl);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }
    }

    private static void adminExecute(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + POSTGRESQL + "?user=postgres");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failed) {
            throw new IllegalStateException("PostgreSQL at " + POSTGRESQL + " refused: " + sql, failed);
        }
    }

    private static void deleteRedisKeys(String prefix) {
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }
}

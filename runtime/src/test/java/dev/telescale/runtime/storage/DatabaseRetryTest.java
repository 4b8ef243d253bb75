package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transient failures made for real: a SQLite write lock held by another connection, a PostgreSQL deadlock. */
class DatabaseRetryTest {
    @TempDir
    Path tempDir;

    @Test
    void inTransaction_sqliteLockedFor200Millis_retriesThenCommits() throws Exception {
        Path file = tempDir.resolve("locked.db");
        try (Database db = Database.open("sqlite:" + file, 2, Duration.ZERO)) {
            db.migrate(List.of());
            try (Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                execute(blocker, "BEGIN IMMEDIATE");
                long lockedAt = System.nanoTime();
                CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                    sleepQuietly(200);
                    execute(blocker, "COMMIT");
                }, CompletableFuture.delayedExecutor(0, TimeUnit.MILLISECONDS));

                int inserted = db.inTransaction(handle ->
                        handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('shard-0', 'me', 1)"));

                release.get();
                assertThat(inserted).isEqualTo(1);
                assertThat(Duration.ofNanos(System.nanoTime() - lockedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
                assertThat(db.transientRetries()).isPositive();
            }
        }
    }

    @Test
    void inTransaction_sqliteLockedLongerThanRetries_throwsTransientStorageException() throws Exception {
        Path file = tempDir.resolve("stuck.db");
        try (Database db = Database.open("sqlite:" + file, 2, Duration.ZERO)) {
            db.migrate(List.of());
            try (Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                execute(blocker, "BEGIN IMMEDIATE");

                assertThatThrownBy(() -> db.useTransaction(handle ->
                        handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('shard-0', 'me', 1)")))
                        .isInstanceOfSatisfying(TransientStorageException.class,
                                failure -> assertThat(failure.attempts()).isEqualTo(Database.MAX_RETRIES + 1))
                        .hasMessageContaining(db.describe());
                assertThat(db.transientRetries()).isEqualTo(Database.MAX_RETRIES);
                execute(blocker, "ROLLBACK");
            }
            long leases = db.withHandle(handle -> handle.createQuery("SELECT count(*) FROM leases").mapTo(Long.class).one());
            assertThat(leases).isZero();
        }
    }

    @Test
    void inTransaction_postgresqlDeadlock_victimIsRetriedAndBothCommit() throws Exception {
        try (TestDatabase testDatabase = TestDatabase.create(Dialect.POSTGRESQL, tempDir, 4)) {
            Database db = testDatabase.database();
            db.useTransaction(handle -> handle.execute(
                    "INSERT INTO leases (name, owner, expires_at) VALUES ('a', 'nobody', 0), ('b', 'nobody', 0)"));
            CyclicBarrier bothHoldFirstLock = new CyclicBarrier(2);

            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?> forward = threads.submit(() -> lockBoth(db, "a", "b", bothHoldFirstLock));
                Future<?> backward = threads.submit(() -> lockBoth(db, "b", "a", bothHoldFirstLock));
                forward.get(30, TimeUnit.SECONDS);
                backward.get(30, TimeUnit.SECONDS);
            }

            assertThat(db.transientRetries()).isPositive();
            long lockedTwice = db.withHandle(handle -> handle.createQuery("SELECT count(*) FROM leases WHERE expires_at = 2")
                    .mapTo(Long.class).one());
            assertThat(lockedTwice).isEqualTo(2);
        }
    }

    private static void lockBoth(Database db, String first, String second, CyclicBarrier bothHoldFirstLock) {
        AtomicInteger attempts = new AtomicInteger();
        db.useTransaction(handle -> {
            handle.execute("UPDATE leases SET expires_at = expires_at + 1 WHERE name = ?", first);
            if (attempts.incrementAndGet() == 1) {
                try {
                    bothHoldFirstLock.await(10, TimeUnit.SECONDS);
                } catch (Exception barrierFailed) {
                    throw new IllegalStateException(barrierFailed);
                }
            }
            handle.execute("UPDATE leases SET expires_at = expires_at + 1 WHERE name = ?", second);
        });
    }

    private static void execute(Connection connection, String sql) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

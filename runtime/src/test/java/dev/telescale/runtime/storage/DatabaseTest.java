package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Dialect.class)
class DatabaseTest {
    private static final List<String> RUNTIME_TABLES =
            List.of("inbound_updates", "outbox", "outbox_failed", "leases", "telegram_users", "bot_user_status");

    @Parameter
    Dialect dialect;
    @TempDir
    Path tempDir;

    private TestDatabase testDatabase;
    private Database db;

    @BeforeEach
    void openDatabase() {
        testDatabase = TestDatabase.create(dialect, tempDir, 4);
        db = testDatabase.database();
    }

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    @Test
    void migrate_fresh_createsRuntimeTables() {
        for (String table : RUNTIME_TABLES) {
            long rows = db.withHandle(handle -> handle.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
            assertThat(rows).as(table).isZero();
        }
        assertThat(db.dialect()).isEqualTo(dialect);
    }

    @Test
    void migrate_againWithExtraLocation_appliesOnlyApplicationMigration() {
        db.migrate(List.of("classpath:db/migration/storage-test"));
        db.migrate(List.of("classpath:db/migration/storage-test"));

        db.useTransaction(handle -> handle.execute("INSERT INTO storage_test_extra (id, note) VALUES (1, 'ok')"));
        String note = db.withHandle(handle -> handle.createQuery("SELECT note FROM storage_test_extra").mapTo(String.class).one());
        assertThat(note).isEqualTo("ok");
    }

    @Test
    void inTransaction_callbackReturns_commitsAndReturnsValue() {
        int inserted = db.inTransaction(handle ->
                handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('shard-1', 'a', 5)"));

        assertThat(inserted).isEqualTo(1);
        assertThat(leaseCount()).isEqualTo(1);
    }

    @Test
    void inTransaction_callbackThrows_rollsBackAndRethrowsUnchanged() {
        IllegalStateException failure = new IllegalStateException("application bug");

        assertThatThrownBy(() -> db.useTransaction(handle -> {
            handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('shard-1', 'a', 5)");
            throw failure;
        })).isSameAs(failure);
        assertThat(leaseCount()).isZero();
    }

    @Test
    void inTransaction_badSql_throwsStorageExceptionNamingDatabase() {
        assertThatThrownBy(() -> db.useTransaction(handle -> handle.execute("INSERT INTO no_such_table VALUES (1)")))
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(TransientStorageException.class)
                .hasMessageContaining(db.describe());
        assertThat(db.transientRetries()).isZero();
    }

    @Test
    void inTransaction_constraintViolation_isNotRetried() {
        db.useTransaction(handle -> handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('x', 'a', 5)"));

        assertThatThrownBy(() -> db.useTransaction(handle ->
                handle.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('x', 'b', 6)")))
                .isInstanceOf(StorageException.class);
        assertThat(db.transientRetries()).isZero();
    }

    @Test
    void inTransaction_hundredVirtualThreadsOnSmallPool_allCommit() throws Exception {
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int writer = 0; writer < 100; writer++) {
                String name = "lease-" + writer;
                writers.add(threads.submit(() -> {
                    db.useTransaction(handle -> handle.execute(
                            "INSERT INTO leases (name, owner, expires_at) VALUES (?, 'a', 5)", name));
                    done.incrementAndGet();
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        }

        assertThat(done).hasValue(100);
        assertThat(leaseCount()).isEqualTo(100);
    }

    @Test
    void isHealthy_open_isTrue_closed_isFalse() {
        assertThat(db.isHealthy(Duration.ofSeconds(2))).isTrue();

        db.close();

        assertThat(db.isHealthy(Duration.ofMillis(500))).isFalse();
    }

    @Test
    void poolStats_whileHandleHeld_countsItActive() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> {
            try (Handle handle = db.jdbi().open()) {
                handle.createQuery("SELECT 1").mapTo(Integer.class).one();
                holding.countDown();
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        holding.await();

        PoolStats stats = db.poolStats();

        release.countDown();
        holder.join();
        assertThat(stats.active()).isEqualTo(1);
        assertThat(stats.total()).isBetween(1, 4);
        assertThat(stats.waiting()).isZero();
    }

    @Test
    void describe_always_namesDialectAndPlaceWithoutPassword() {
        String expected = switch (dialect) {
            case SQLITE -> "SQLite " + tempDir.resolve("telescale.db");
            case POSTGRESQL -> "PostgreSQL " + TestDatabase.POSTGRESQL_SERVER;
        };

        assertThat(db.describe()).isEqualTo(expected);
    }

    private long leaseCount() {
        return db.withHandle(handle -> handle.createQuery("SELECT count(*) FROM leases").mapTo(Long.class).one());
    }
}

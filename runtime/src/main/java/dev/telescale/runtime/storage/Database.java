package dev.telescale.runtime.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The runtime's SQL database: a bounded connection pool, JDBI on top, Flyway migrations, and
 * transactions that retry what usually passes by itself (SQLite busy or locked, PostgreSQL
 * serialization failures and deadlocks, lost connections) up to {@value #MAX_RETRIES} times with
 * jittered exponential back-off, then fail with a {@link TransientStorageException}. A retried
 * callback runs again from the start, so it must do nothing outside the transaction that cannot
 * be repeated.
 *
 * <p>SQLite allows one writer at a time. Every SQLite transaction therefore begins IMMEDIATE (it
 * takes the write lock at BEGIN, so two transactions can never deadlock upgrading a read lock),
 * and the pool is small ({@value #SQLITE_MAX_POOL} connections at most): writers would queue on
 * the file lock anyway, and waiting in the pool's fair queue is cheaper and fairer than SQLite's
 * sleeping busy handler, while WAL still lets the other connections read beside the writer.
 * {@link #withHandle} runs without a transaction, so reads there never wait for the writer.
 * Never open a second writing transaction while one is held on the same thread: on SQLite it waits
 * for the first and fails after the busy timeout.
 *
 * <p>Thread-safe; one instance per process, closed at shutdown.
 */
public final class Database implements AutoCloseable {
    static final int MAX_RETRIES = 5;
    static final int SQLITE_MAX_POOL = 4;
    static final Duration SQLITE_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /**
     * SQLite's writers queue here, first come first served, instead of in SQLite's busy handler,
     * which sleeps and polls and lets a busy writer (the update intake, say) lose for seconds.
     */
    private final java.util.concurrent.locks.ReentrantLock sqliteWriters = new java.util.concurrent.locks.ReentrantLock(true);
    private static final long FIRST_BACKOFF_MILLIS = 25;
    private static final long MAX_BACKOFF_MILLIS = 1_000;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final DatabaseUrl url;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final AtomicLong transientRetries = new AtomicLong();

    private Database(DatabaseUrl url, HikariDataSource dataSource) {
        this.url = url;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    }

    /**
     * Opens the database named by {@code databaseUrl} (see {@link DatabaseUrl} for the forms; null
     * or blank means the embedded SQLite file {@value DatabaseUrl#DEFAULT_SQLITE_FILE}).
     *
     * @throws IllegalArgumentException when the URL is not one of the supported forms
     * @throws StorageException         when the database cannot be reached
     */
    public static Database open(String databaseUrl, int poolSize) {
        return open(databaseUrl, poolSize, SQLITE_BUSY_TIMEOUT);
    }

    static Database open(String databaseUrl, int poolSize, Duration sqliteBusyTimeout) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("The database pool needs at least one connection, not " + poolSize + ".");
        }
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
        HikariConfig config = new HikariConfig();
        config.setPoolName("telescale-" + url.dialect().migrationFolder());
        switch (url.dialect()) {
            case SQLITE -> {
                createParentFolder(url.sqliteFile());
                config.setDataSource(sqliteDataSource(url, sqliteBusyTimeout));
                config.setMaximumPoolSize(Math.min(poolSize, SQLITE_MAX_POOL));
            }
            case POSTGRESQL -> {
                config.setJdbcUrl(url.jdbcUrl());
                config.setUsername(url.user());
                config.setPassword(url.password());
                config.setMaximumPoolSize(poolSize);
            }
        }
        try {
            return new Database(url, new HikariDataSource(config));
        } catch (RuntimeException unreachable) {
            throw new StorageException("Cannot open " + url.description() + ": " + rootMessage(unreachable), unreachable);
        }
    }

    private static SQLiteDataSource sqliteDataSource(DatabaseUrl url, Duration busyTimeout) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout((int) busyTimeout.toMillis());
        sqlite.enforceForeignKeys(true);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(sqlite);
        dataSource.setUrl(url.jdbcUrl());
        return dataSource;
    }

    private static void createParentFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException cannotCreate) {
            throw new UncheckedIOException("Cannot create the folder " + parent + " for the SQLite database", cannotCreate);
        }
    }

    public Dialect dialect() {
        return url.dialect();
    }

    /** JDBI with the SQL object plugin; statements run through it directly get no retries. */
    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Brings the schema up to date: the runtime's own migrations ({@code classpath:db/migration/<dialect>})
     * and then the application's, e.g. {@code "classpath:anonchat/db/{dialect}"}, where {@code {dialect}}
     * becomes the dialect's folder ("sqlite" or "postgresql"). The extra
     * locations share one version history with the runtime, so their versions must not collide.
     */
    public void migrate(List<String> extraLocations) {
        List<String> locations = new ArrayList<>();
        locations.add("classpath:db/migration/" + dialect().migrationFolder());
        extraLocations.forEach(location -> locations.add(location.replace("{dialect}", dialect().migrationFolder())));
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(locations.toArray(String[]::new))
                    // the runtime (1-99) and each application (100-199, 200-299, ...) number their migrations in
                    // ranges of their own: a runtime migration added later applies after the applications' ones
                    .outOfOrder(true)
                    .load()
                    .migrate();
        } catch (RuntimeException failed) {
            throw new StorageException("Migrating " + describe() + " from " + locations + " failed: " + rootMessage(failed), failed);
        }
    }

    /**
     * Runs {@code callback} in one transaction, committed when it returns and rolled back when it
     * throws; transient failures run it again (see the class comment). An exception of the callback's
     * own is rethrown unchanged; a database failure becomes a {@link StorageException}.
     */
    public <T> T inTransaction(HandleCallback<T, RuntimeException> callback) {
        if (dialect() != Dialect.SQLITE) {
            return withRetries("transaction", () -> jdbi.inTransaction(callback));
        }
        return withRetries("transaction", () -> {
            sqliteWriters.lock();
            try {
                return jdbi.inTransaction(callback);
            } finally {
                sqliteWriters.unlock();
            }
        });
    }

    public void useTransaction(Consumer<Handle> callback) {
        inTransaction(handle -> {
            callback.accept(handle);
            return null;
        });
    }

    /** Like {@link #inTransaction} but in auto-commit mode: for reads (writes belong in {@link #inTransaction}). */
    public <T> T withHandle(HandleCallback<T, RuntimeException> callback) {
        return withRetries("statement", () -> jdbi.withHandle(callback));
    }

    /** Whether a connection can be had and answers within {@code timeout}; never throws. */
    public boolean isHealthy(Duration timeout) {
        FutureTask<Boolean> probe = new FutureTask<>(() -> {
            try (Connection connection = dataSource.getConnection()) {
                return connection.isValid((int) Math.max(1, timeout.toSeconds()));
            }
        });
        Thread.ofVirtual().name("database-health").start(probe);
        return awaitProbe(probe, timeout);
    }

    private static boolean awaitProbe(Future<Boolean> probe, Duration timeout) {
        try {
            return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException unhealthy) {
            probe.cancel(true);
            return false;
        }
    }

    public PoolStats poolStats() {
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        if (pool == null) {
            return new PoolStats(0, 0, 0, 0);
        }
        return new PoolStats(pool.getActiveConnections(), pool.getIdleConnections(), pool.getTotalConnections(),
                pool.getThreadsAwaitingConnection());
    }

    /** How many times a transaction or statement was run again after a transient failure, since open. */
    public long transientRetries() {
        return transientRetries.get();
    }

    /** The dialect and where the database is, without credentials: "SQLite ./data/telescale.db". */
    public String describe() {
        return url.description();
    }

    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    private <T> T withRetries(String operation, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (StorageException alreadyReported) {
                throw alreadyReported;
            } catch (RuntimeException failure) {
                if (!isTransient(failure)) {
                    if (findSqlException(failure) == null && !(failure instanceof JdbiException)) {
                        throw failure;
                    }
                    throw new StorageException("A " + operation + " on " + describe() + " failed: " + rootMessage(failure), failure);
                }
                if (attempt > MAX_RETRIES) {
                    throw new TransientStorageException("A " + operation + " on " + describe() + " still failed after "
                            + attempt + " attempts: " + rootMessage(failure), attempt, failure);
                }
                transientRetries.incrementAndGet();
                long delay = backoffMillis(attempt);
                log.debug("Transient failure of a {} on {} (attempt {}), retrying in {} ms: {}", operation, describe(),
                        attempt, delay, rootMessage(failure));
                sleep(delay, operation, failure);
            }
        }
    }

    /** Equal jitter: half the exponential step for sure, the other half at random. */
    private static long backoffMillis(int attempt) {
        long step = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << (attempt - 1));
        long half = step / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    private void sleep(long millis, String operation, RuntimeException failure) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            StorageException stopped = new StorageException(
                    "Interrupted while waiting to retry a " + operation + " on " + describe(), interrupted);
            stopped.addSuppressed(failure);
            throw stopped;
        }
    }

    boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (isTransientSql(next)) {
                        return true;
                    }
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private boolean isTransientSql(SQLException sql) {
        return switch (dialect()) {
            case SQLITE -> {
                int primaryCode = sql.getErrorCode() & 0xFF;
                yield primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED;
            }
            case POSTGRESQL -> {
                String state = sql.getSQLState();
                yield state != null && (state.equals("40001") || state.equals("40P01") || state.startsWith("08"));
            }
        };
    }

    private static SQLException findSqlException(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

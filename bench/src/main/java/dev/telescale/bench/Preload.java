package dev.telescale.bench;

import dev.telescale.runtime.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.function.IntFunction;

/**
 * Registered, onboarded users of the anonymous chat written straight into the database before the
 * bot starts ({@code big-data}; {@code memory} writes its pairs' users with {@link #insertUsers}): a row in the runtime's {@code telegram_users} and one in
 * {@code ac_users} (gender, age, onboarding done, last active some time in the last 30 days), so
 * the bot sees a large user base that is not searching. User ids start at {@link #FIRST_USER_ID},
 * far above the emulator's own (7,000,000,001 and up); half are on each bot.
 *
 * <p>Fast on both databases the same way: one transaction, multi-row INSERTs of
 * {@value #ROWS_PER_STATEMENT} rows from one prepared statement, executed in JDBC batches.
 */
final class Preload {
    static final long FIRST_USER_ID = 8_000_000_000L;
    private static final int ROWS_PER_STATEMENT = 500;
    private static final int STATEMENTS_PER_BATCH = 20;
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();

    private Preload() {
    }

    /** One row's parameters, from {@code index} (0-based) at {@code parameter} (1-based) on. */
    @FunctionalInterface
    interface RowBinder {
        void bind(PreparedStatement statement, int parameter, int index) throws SQLException;
    }

    /** One onboarded user as the preload writes them: both rows' values. */
    record User(long id, long bot, String firstName, String gender, int age, long lastActiveAt) {
    }

    /** Writes {@code users} users and returns the seconds it took. */
    static double users(Database database, int users, long botA, long botB) {
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        try (Connection connection = database.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            insertUsers(connection, users, i -> {
                long lastActive = now - (i % 30) * DAY_MILLIS - i % 86_400_000L;
                return new User(FIRST_USER_ID + i, i % 2 == 0 ? botA : botB, "Preloaded" + i, i % 2 == 0 ? "m" : "f",
                        18 + i % 40, lastActive);
            });
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("preloading " + users + " users failed: " + e.getMessage(), e);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Inserts {@code count} onboarded users ({@code telegram_users} and {@code ac_users} rows), user
     * {@code i} as {@code userAt} describes it, in the connection's current transaction.
     */
    static void insertUsers(Connection connection, int count, IntFunction<User> userAt) throws SQLException {
        insert(connection, "telegram_users (user_id, first_name, language_code, is_premium, updated_at)", 5, count,
                (statement, p, i) -> {
                    User user = userAt.apply(i);
                    statement.setLong(p, user.id());
                    statement.setString(p + 1, user.firstName());
                    statement.setString(p + 2, "en");
                    statement.setBoolean(p + 3, false);
                    statement.setLong(p + 4, user.lastActiveAt());
                });
        insert(connection, "ac_users (user_id, bot_id, lang, gender, age, onboarded_at, created_at, last_active_at)", 8,
                count, (statement, p, i) -> {
                    User user = userAt.apply(i);
                    statement.setLong(p, user.id());
                    statement.setLong(p + 1, user.bot());
                    statement.setString(p + 2, "en");
                    statement.setString(p + 3, user.gender());
                    statement.setInt(p + 4, user.age());
                    statement.setLong(p + 5, user.lastActiveAt());
                    statement.setLong(p + 6, user.lastActiveAt());
                    statement.setLong(p + 7, user.lastActiveAt());
                });
    }

    static void insert(Connection connection, String tableAndColumns, int columns, int rows, RowBinder binder)
            throws SQLException {
        String row = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        int full = rows / ROWS_PER_STATEMENT;
        if (full > 0) {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + tableAndColumns + " VALUES "
                    + String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, row)))) {
                for (int s = 0; s < full; s++) {
                    for (int r = 0; r < ROWS_PER_STATEMENT; r++) {
                        binder.bind(statement, 1 + r * columns, s * ROWS_PER_STATEMENT + r);
                    }
                    statement.addBatch();
                    if ((s + 1) % STATEMENTS_PER_BATCH == 0) {
                        statement.executeBatch();
                    }
                }
                statement.executeBatch();
            }
        }
        int rest = rows - full * ROWS_PER_STATEMENT;
        if (rest > 0) {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + tableAndColumns + " VALUES "
                    + String.join(", ", Collections.nCopies(rest, row)))) {
                for (int r = 0; r < rest; r++) {
                    binder.bind(statement, 1 + r * columns, full * ROWS_PER_STATEMENT + r);
                }
                statement.executeUpdate();
            }
        }
    }
}

package dev.telescale.runtime.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A migrated, empty database of either dialect for one test: a SQLite file in the test's
 * temporary folder, or a fresh schema in the PostgreSQL at 127.0.0.1:5432 (trust auth, user
 * postgres, database test), dropped on close. Not thread-safe; one per test.
 */
final class TestDatabase implements AutoCloseable {
    static final String POSTGRESQL_SERVER = "127.0.0.1:5432/test";
    private static final String POSTGRESQL_ADMIN = "jdbc:postgresql://" + POSTGRESQL_SERVER + "?user=postgres";

    private final Dialect dialect;
    private final String url;
    private final String schema;
    private final Database database;

    private TestDatabase(Dialect dialect, String url, String schema, int poolSize) {
        this.dialect = dialect;
        this.url = url;
        this.schema = schema;
        this.database = Database.open(url, poolSize);
    }

    static TestDatabase create(Dialect dialect, Path tempDir) {
        return create(dialect, tempDir, 8);
    }

    static TestDatabase create(Dialect dialect, Path tempDir, int poolSize) {
        TestDatabase test = unmigrated(dialect, tempDir, poolSize);
        test.database.migrate(List.of());
        return test;
    }

    static TestDatabase unmigrated(Dialect dialect, Path tempDir, int poolSize) {
        return switch (dialect) {
            case SQLITE -> new TestDatabase(dialect, "sqlite:" + tempDir.resolve("telescale.db"), null, poolSize);
            case POSTGRESQL -> {
                String schema = "t_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
                adminExecute("CREATE SCHEMA " + schema);
                yield new TestDatabase(dialect, "postgresql://postgres@" + POSTGRESQL_SERVER + "?currentSchema=" + schema,
                        schema, poolSize);
            }
        };
    }

    Database database() {
        return database;
    }

    String url() {
        return url;
    }

    /**
     * A connection outside the pool. On PostgreSQL, string parameters are sent untyped so the server
     * infers their types, which lets EXPLAIN bind "1" to any parameter.
     */
    Connection rawConnection() throws SQLException {
        return switch (dialect) {
            case SQLITE -> DriverManager.getConnection("jdbc:" + url);
            case POSTGRESQL -> DriverManager.getConnection("jdbc:postgresql://" + POSTGRESQL_SERVER
                    + "?user=postgres&stringtype=unspecified&currentSchema=" + schema);
        };
    }

    @Override
    public void close() {
        database.close();
        if (schema != null) {
            adminExecute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void adminExecute(String sql) {
        try (Connection connection = DriverManager.getConnection(POSTGRESQL_ADMIN);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException failed) {
            throw new IllegalStateException("PostgreSQL at " + POSTGRESQL_SERVER + " refused: " + sql, failed);
        }
    }
}

package dev.telescale.runtime.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;

/** The lease contract on PostgreSQL (database {@code test}), in a fresh schema per run. */
class PostgresLeasesTest extends LeasesContract {
    private static final String SCHEMA = "leases_test_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static PGSimpleDataSource dataSource;
    private final FakeClock clock = new FakeClock();
    private final SqlLeases one = new SqlLeases(dataSource, clock);
    private final SqlLeases two = new SqlLeases(dataSource, clock);

    @BeforeAll
    static void createSchema() throws SQLException {
        execute(plain(URL), "CREATE SCHEMA " + SCHEMA);
        dataSource = plain(URL + "?currentSchema=" + SCHEMA);
        execute(dataSource, "CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL)");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        execute(plain(URL), "DROP SCHEMA " + SCHEMA + " CASCADE");
    }

    private static PGSimpleDataSource plain(String url) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser("postgres");
        return source;
    }

    private static void execute(PGSimpleDataSource source, String sql) throws SQLException {
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    Leases leases() {
        return one;
    }

    @Override
    Leases otherInstance() {
        return two;
    }

    @Override
    Duration ttl() {
        return Duration.ofSeconds(30);
    }

    @Override
    void advance(Duration duration) {
        clock.advance(duration);
    }
}

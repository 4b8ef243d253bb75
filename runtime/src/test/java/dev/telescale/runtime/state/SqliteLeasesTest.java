package dev.telescale.runtime.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** The lease contract on a SQLite file; two data sources over it play two instances. */
class SqliteLeasesTest extends LeasesContract {
    private final FakeClock clock = new FakeClock();
    private SqlLeases one;
    private SqlLeases two;

    @BeforeEach
    void createTable(@TempDir Path directory) throws SQLException {
        String url = "jdbc:sqlite:" + directory.resolve("leases.db");
        SQLiteDataSource first = dataSource(url);
        try (Connection connection = first.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL)");
        }
        one = new SqlLeases(first, clock);
        two = new SqlLeases(dataSource(url), clock);
    }

    private static SQLiteDataSource dataSource(String url) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(url);
        return dataSource;
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

package dev.telescale.runtime.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Leases in the SQL table {@code leases(name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at
 * BIGINT NOT NULL)} (epoch milliseconds), for deployments on PostgreSQL without Redis and for
 * SQLite. Works on both with the same statements.
 *
 * <p>Concurrency: each operation is one auto-committed statement whose condition the database
 * evaluates atomically with the write. Acquire is a single {@code INSERT ... ON CONFLICT (name) DO
 * UPDATE ... WHERE leases.expires_at <= now OR leases.owner = owner}: a row is written (update
 * count 1) only if the lease was absent, expired or ours; PostgreSQL locks the conflicting row and
 * re-checks the condition against its latest version, SQLite serializes writers. Renew and release
 * are conditional UPDATE / DELETE on the owner. No state in this object; thread-safe.
 *
 * <p>Time is the injected clock of each instance, so expiry depends on instances' clocks agreeing
 * (NTP): a skew of s lets two holders overlap for up to s. For SQLite the data source should set a
 * busy timeout, as writers contend for the database lock.
 */
public final class SqlLeases implements Leases {
    private static final String ACQUIRE = """
            INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE leases.expires_at <= ? OR leases.owner = ?""";
    private static final String RENEW = "UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND expires_at > ?";
    private static final String RELEASE = "DELETE FROM leases WHERE name = ? AND owner = ?";
    private static final String HOLDER = "SELECT owner FROM leases WHERE name = ? AND expires_at > ?";

    private final DataSource dataSource;
    private final InstantSource clock;

    public SqlLeases(DataSource dataSource, InstantSource clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    @Override
    public boolean tryAcquire(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        long now = clock.millis();
        return update("lease acquire", ACQUIRE, name, owner, now + ttlMillis, now, owner) == 1;
    }

    @Override
    public boolean renew(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        long now = clock.millis();
        return update("lease renew", RENEW, now + ttlMillis, name, owner, now) == 1;
    }

    @Override
    public void release(String name, String owner) {
        update("lease release", RELEASE, name, owner);
    }

    @Override
    public Optional<String> holder(String name) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(HOLDER)) {
            statement.setString(1, name);
            statement.setLong(2, clock.millis());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw translate("lease holder", e);
        }
    }

    private int update(String operation, String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                switch (parameters[i]) {
                    case String text -> statement.setString(i + 1, text);
                    case Long number -> statement.setLong(i + 1, number);
                    default -> throw new IllegalArgumentException("unexpected parameter " + parameters[i]);
                }
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw translate(operation, e);
        }
    }

    private static StateException translate(String operation, SQLException e) {
        String message = operation + " failed: " + e.getMessage();
        return e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || (e.getSQLState() != null && e.getSQLState().startsWith("08"))
                ? new StateUnavailableException(message, e)
                : new StateException(message, e);
    }
}

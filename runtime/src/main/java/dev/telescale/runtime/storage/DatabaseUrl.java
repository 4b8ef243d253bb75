package dev.telescale.runtime.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the database is, parsed from the one setting operators write: nothing (embedded SQLite
 * under ./data), {@code sqlite:<path>}, {@code jdbc:sqlite:<path>}, {@code postgresql://} or
 * {@code postgres://} URIs with credentials in the user info, or a ready {@code jdbc:postgresql:}
 * URL. Immutable; {@link #toString()} and {@link #description()} never contain the password.
 *
 * @param sqliteFile null for PostgreSQL
 * @param user       null when the JDBC URL carries its own credentials
 */
record DatabaseUrl(Dialect dialect, String jdbcUrl, String user, String password, Path sqliteFile,
                   String description) {
    static final String DEFAULT_SQLITE_FILE = "./data/telescale.db";
    private static final int DEFAULT_POSTGRESQL_PORT = 5432;
    private static final String FORMS = "use sqlite:<path>, jdbc:sqlite:<path>, "
            + "postgresql://user:password@host:port/database or jdbc:postgresql://host:port/database";

    static DatabaseUrl parse(String databaseUrl) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return sqlite(DEFAULT_SQLITE_FILE);
        }
        String url = databaseUrl.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:sqlite:")) {
            return sqlite(url.substring("jdbc:sqlite:".length()));
        }
        if (lower.startsWith("sqlite:")) {
            return sqlite(url.substring("sqlite:".length()));
        }
        if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
            return postgresqlUri(url);
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return postgresqlJdbc(url);
        }
        int colon = url.indexOf(':');
        String scheme = colon > 0 ? url.substring(0, colon) : url.length() > 20 ? url.substring(0, 20) + "..." : url;
        throw new IllegalArgumentException("Unsupported database URL '" + scheme + "...': " + FORMS + ".");
    }

    private static DatabaseUrl sqlite(String location) {
        if (location.isBlank()) {
            throw new IllegalArgumentException("The SQLite database URL names no file: " + FORMS + ".");
        }
        if (location.contains(":memory:") || location.contains("mode=memory")) {
            throw new IllegalArgumentException("In-memory SQLite is not supported because every pooled connection "
                    + "would see its own empty database; name a file instead.");
        }
        Path file = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null, file, "SQLite " + location);
    }

    private static DatabaseUrl postgresqlUri(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException malformed) {
            throw new IllegalArgumentException("The PostgreSQL URL is malformed at index " + malformed.getIndex()
                    + " (percent-encode special characters in the user name and password).", malformed);
        }
        String host = uri.getHost();
        String path = uri.getPath();
        if (host == null || path == null || path.length() <= 1) {
            throw new IllegalArgumentException(
                    "The PostgreSQL URL needs a host and a database, as in postgresql://user:password@host:5432/database.");
        }
        int port = uri.getPort() == -1 ? DEFAULT_POSTGRESQL_PORT : uri.getPort();
        String database = path.substring(1);
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String user = null;
        String password = null;
        if (uri.getUserInfo() != null) {
            String userInfo = uri.getUserInfo();
            int separator = userInfo.indexOf(':');
            user = separator < 0 ? userInfo : userInfo.substring(0, separator);
            password = separator < 0 ? null : userInfo.substring(separator + 1);
        }
        String hostAndPort = host + ":" + port;
        return new DatabaseUrl(Dialect.POSTGRESQL, "jdbc:postgresql://" + hostAndPort + "/" + uri.getRawPath().substring(1) + query,
                user, password, null, "PostgreSQL " + hostAndPort + "/" + database);
    }

    private static DatabaseUrl postgresqlJdbc(String url) {
        String location = url.substring("jdbc:postgresql:".length());
        if (location.startsWith("//")) {
            location = location.substring(2);
        }
        int query = location.indexOf('?');
        if (query >= 0) {
            location = location.substring(0, query);
        }
        location = location.substring(location.lastIndexOf('@') + 1);
        if (location.isBlank()) {
            throw new IllegalArgumentException("The PostgreSQL JDBC URL names no database: " + FORMS + ".");
        }
        return new DatabaseUrl(Dialect.POSTGRESQL, url, null, null, null, "PostgreSQL " + location);
    }

    @Override
    public String toString() {
        return description;
    }
}

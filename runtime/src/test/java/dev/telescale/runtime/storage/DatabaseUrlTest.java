package dev.telescale.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {
    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void parse_nullOrBlank_isEmbeddedSqliteUnderData(String url) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);

        assertThat(parsed.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(parsed.sqliteFile()).isEqualTo(Path.of("./data/telescale.db"));
        assertThat(parsed.description()).isEqualTo("SQLite ./data/telescale.db");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite:/var/lib/bots/main.db", "jdbc:sqlite:/var/lib/bots/main.db"})
    void parse_sqliteForms_nameTheFile(String url) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);

        assertThat(parsed.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/bots/main.db");
        assertThat(parsed.description()).isEqualTo("SQLite /var/lib/bots/main.db");
    }

    @Test
    void parse_postgresqlUri_becomesJdbcUrlWithCredentialsApart() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://bot%40ops:s3cr%3At@db.internal:6543/telescale?sslmode=require");

        assertThat(parsed.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/telescale?sslmode=require");
        assertThat(parsed.user()).isEqualTo("bot@ops");
        assertThat(parsed.password()).isEqualTo("s3cr:t");
        assertThat(parsed.description()).isEqualTo("PostgreSQL db.internal:6543/telescale");
        assertThat(parsed.toString()).doesNotContain("s3cr");
    }

    @Test
    void parse_postgresUriWithoutPort_usesDefaultPort() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgres://app@127.0.0.1/test");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(parsed.user()).isEqualTo("app");
        assertThat(parsed.password()).isNull();
        assertThat(parsed.description()).isEqualTo("PostgreSQL 127.0.0.1:5432/test");
    }

    @Test
    void parse_jdbcPostgresql_passesThroughAndHidesQuery() {
        DatabaseUrl parsed = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=hunter2");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=hunter2");
        assertThat(parsed.description()).isEqualTo("PostgreSQL 127.0.0.1:5432/test").doesNotContain("hunter2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://root:hunter2@localhost/db", "telescale.db", "http://example.com/db"})
    void parse_unsupportedForm_throwsOneClearSentence(String url) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unsupported database URL")
                .hasMessageContaining("postgresql://user:password@host:port/database")
                .hasMessageNotContaining("hunter2")
                .hasMessageEndingWith(".");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://user@host", "postgresql://user@host/", "postgresql:///db"})
    void parse_postgresqlWithoutHostOrDatabase_isRejected(String url) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a host and a database");
    }

    @Test
    void parse_malformedPostgresqlUri_pointsAtEncoding() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://user:pa ss@host/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percent-encode");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite::memory:", "jdbc:sqlite:file:x?mode=memory"})
    void parse_inMemorySqlite_isRejected(String url) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("In-memory SQLite is not supported");
    }

    @Test
    void parse_sqliteWithoutPath_isRejected() {
        assertThatThrownBy(() -> DatabaseUrl.parse("sqlite:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no file");
    }

    @Test
    void open_unsupportedUrl_throwsIllegalArgumentWithoutConnecting() {
        assertThatThrownBy(() -> Database.open("oracle:thin:@host", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unsupported database URL 'oracle...'");
    }

    @Test
    void open_zeroPoolSize_throwsIllegalArgument() {
        assertThatThrownBy(() -> Database.open("sqlite:x.db", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one connection");
    }
}

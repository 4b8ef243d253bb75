package dev.telescale.runtime.storage;

import java.util.Locale;

/** The SQL databases Telescale runs on: embedded SQLite for one machine, PostgreSQL for many instances. */
public enum Dialect {
    SQLITE("SQLite"),
    POSTGRESQL("PostgreSQL");

    private final String displayName;

    Dialect(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** The classpath folder of this dialect's migrations, below {@code db/migration/}. */
    String migrationFolder() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.telescale.jmh;

import dev.telescale.runtime.storage.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** An SQLite database file in a fresh temporary folder, migrated; closing deletes the folder. */
final class TempDatabase implements AutoCloseable {
    private final Path dir;
    private final Database database;

    private TempDatabase(Path dir, Database database) {
        this.dir = dir;
        this.database = database;
    }

    /** @param migrations the applications' migration locations, as {@code BotApplication.migrationLocations()} */
    static TempDatabase open(String name, List<String> migrations) {
        try {
            Path dir = Files.createTempDirectory("telescale-jmh-" + name);
            Database database = Database.open("sqlite:" + dir.resolve(name + ".db"), 4);
            database.migrate(migrations);
            return new TempDatabase(dir, database);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Database database() {
        return database;
    }

    @Override
    public void close() {
        database.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

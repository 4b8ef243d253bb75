package dev.telescale.runtime.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.telescale.runtime.outbound.TransferredFiles;
import java.time.InstantSource;
import java.util.Optional;

/**
 * {@link TransferredFiles} in the database (table {@code transferred_files}), with an in-process
 * cache in front: entries never change once written (a file's id in a bot stays valid), so a
 * cached entry is never stale; the first writer wins.
 */
public final class TransferredFileStore implements TransferredFiles {
    private static final String FIND = "SELECT file_id FROM transferred_files WHERE bot_id = :bot AND file_unique_id = :unique";
    private static final String INSERT = """
            INSERT INTO transferred_files (bot_id, file_unique_id, file_id, created_at) VALUES (:bot, :unique, :fileId, :now)
            ON CONFLICT (bot_id, file_unique_id) DO NOTHING""";

    private record Key(long botId, String uniqueId) {
    }

    private final Database db;
    private final InstantSource clock;
    private final Cache<Key, String> cache = Caffeine.newBuilder().maximumSize(100_000).build();

    public TransferredFileStore(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Optional<String> find(long botId, String fileUniqueId) {
        Key key = new Key(botId, fileUniqueId);
        String cached = cache.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> stored = db.withHandle(handle -> handle.createQuery(FIND).bind("bot", botId)
                .bind("unique", fileUniqueId).mapTo(String.class).findOne());
        stored.ifPresent(id -> cache.put(key, id));
        return stored;
    }

    @Override
    public void remember(long botId, String fileUniqueId, String fileId) {
        db.useTransaction(handle -> handle.createUpdate(INSERT).bind("bot", botId).bind("unique", fileUniqueId)
                .bind("fileId", fileId).bind("now", clock.millis()).execute());
        cache.put(new Key(botId, fileUniqueId), fileId);
    }
}

package dev.telescale.runtime.state;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.InstantSource;
import java.util.UUID;

/** The machine's Redis for tests, with a random key prefix per test class. */
final class RedisTesting {
    static final String URL = "redis://127.0.0.1:6379";

    private RedisTesting() {
    }

    static String randomPrefix() {
        return "telescale-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    static RedisState connect(String prefix) {
        return RedisState.connect(URL, prefix, InstantSource.system(), healthy -> { });
    }

    /** Deletes every key under {@code prefix}. */
    static void deleteKeys(String prefix) {
        RedisClient client = RedisClient.create(URL);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }
}

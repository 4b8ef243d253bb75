package dev.telescale.runtime.state;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;

/** The cache tier as Redis strings {@code <prefix>cache:<key>} with a PX expiry. Thread-safe. */
final class RedisCache implements SharedCache {
    private final RedisCalls redis;

    RedisCache(RedisCalls redis) {
        this.redis = redis;
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(redis.call("cache get", commands -> commands.get(redis.key("cache", key))));
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        redis.call("cache put", commands -> commands.set(redis.key("cache", key), value, SetArgs.Builder.px(ttlMillis)));
    }

    @Override
    public void delete(String key) {
        redis.call("cache delete", commands -> commands.del(redis.key("cache", key)));
    }

    /** Deletes every cache entry under this prefix (SCAN + UNLINK, in batches). */
    void clear() {
        String pattern = globEscape(redis.key("cache", "")) + "*";
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(500);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ScanCursor from = cursor;
            KeyScanCursor<String> page = redis.call("cache clear", commands -> commands.scan(from, args));
            if (!page.getKeys().isEmpty()) {
                String[] keys = page.getKeys().toArray(String[]::new);
                redis.call("cache clear", commands -> commands.unlink(keys));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }

    private static String globEscape(String literal) {
        return literal.replaceAll("([\\\\*?\\[\\]^])", "\\\\$1");
    }
}

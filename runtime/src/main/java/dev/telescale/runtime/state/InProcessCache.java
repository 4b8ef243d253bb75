package dev.telescale.runtime.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A bounded Caffeine cache with a TTL per entry, timed by the injected clock (also as Caffeine's
 * ticker, so expired entries are evicted). {@link #get} re-checks the expiry itself, so a fake
 * clock gives exact TTL semantics. Caffeine makes it thread-safe; maintenance runs on the caller.
 */
final class InProcessCache implements SharedCache {
    private record Entry(String value, long expiresAt) {
    }

    private final InstantSource clock;
    private final Cache<String, Entry> entries;

    InProcessCache(InstantSource clock, long maximumSize) {
        this.clock = clock;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .expireAfter(Expiry.<String, Entry>writing(
                        (key, entry) -> Duration.ofMillis(Math.max(0, entry.expiresAt() - clock.millis()))))
                .build();
    }

    @Override
    public Optional<String> get(String key) {
        Entry entry = entries.getIfPresent(key);
        if (entry == null || clock.millis() >= entry.expiresAt()) {
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        entries.put(key, new Entry(value, clock.millis() + Checks.ttlMillis(ttl)));
    }

    @Override
    public void delete(String key) {
        entries.invalidate(key);
    }
}

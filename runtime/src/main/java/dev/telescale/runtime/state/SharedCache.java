package dev.telescale.runtime.state;

import java.time.Duration;
import java.util.Optional;

/** The L2 tier of the user cache: strings with a time to live. Thread-safe. */
public interface SharedCache {
    Optional<String> get(String key);

    void put(String key, String value, Duration ttl);

    void delete(String key);
}

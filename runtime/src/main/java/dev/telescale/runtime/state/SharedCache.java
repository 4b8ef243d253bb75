package dev.telescale.runtime.state;

import java.time.Duration;
import java.util.Optional;

/** The L2 tier of the user cache: strings with a time to live. Thread-safe. */
public interface SharedCache {
    /**
     * No L2 at all: for a single instance on in-process state, where an L2 would only be a second
     * copy of L1 in the same heap (about 300 bytes a user, 30 MB for 100,000 users). Holds
     * nothing; the user cache skips it and counts no lookups in it.
     */
    SharedCache NONE = new SharedCache() {
        @Override
        public Optional<String> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, String value, Duration ttl) {
        }

        @Override
        public void delete(String key) {
        }
    };

    Optional<String> get(String key);

    void put(String key, String value, Duration ttl);

    void delete(String key);
}

package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract of {@link SharedCache}, run against every implementation. */
abstract class SharedCacheContract {
    abstract SharedCache cache();

    abstract SharedCache otherInstance();

    abstract void advance(Duration duration) throws InterruptedException;

    /** A TTL long enough that the test's own slowness cannot expire it by accident. */
    abstract Duration ttl();

    final String key = "user-" + UUID.randomUUID();

    @Test
    void get_afterPut_returnsValueOnEveryInstance() {
        cache().put(key, "{\"name\":\"Ada\"}", ttl());
        assertThat(cache().get(key)).contains("{\"name\":\"Ada\"}");
        assertThat(otherInstance().get(key)).contains("{\"name\":\"Ada\"}");
    }

    @Test
    void get_unknownKey_misses() {
        assertThat(cache().get(key)).isEmpty();
    }

    @Test
    void get_afterTtl_misses() throws InterruptedException {
        cache().put(key, "v", ttl());
        advance(ttl().dividedBy(2));
        assertThat(cache().get(key)).contains("v");
        advance(ttl().dividedBy(2).plusMillis(100));
        assertThat(cache().get(key)).isEmpty();
    }

    @Test
    void put_existingKey_replacesValueAndTtl() throws InterruptedException {
        cache().put(key, "old", ttl());
        advance(ttl().dividedBy(2));
        otherInstance().put(key, "new", ttl());
        advance(ttl().dividedBy(2).plusMillis(100));
        assertThat(cache().get(key)).contains("new");
    }

    @Test
    void delete_removesForEveryInstance() {
        cache().put(key, "v", ttl());
        otherInstance().delete(key);
        assertThat(cache().get(key)).isEmpty();
    }
}

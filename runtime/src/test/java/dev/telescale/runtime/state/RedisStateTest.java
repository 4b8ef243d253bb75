package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cache contract and connection behaviour of {@link RedisState} on the machine's Redis. */
class RedisStateTest extends SharedCacheContract {
    private static final String PREFIX = RedisTesting.randomPrefix();
    private static RedisState one;
    private static RedisState two;

    @BeforeAll
    static void connect() {
        one = RedisTesting.connect(PREFIX);
        two = RedisTesting.connect(PREFIX);
    }

    @AfterAll
    static void disconnect() {
        one.close();
        two.close();
        RedisTesting.deleteKeys(PREFIX);
    }

    @Override
    SharedCache cache() {
        return one.cache();
    }

    @Override
    SharedCache otherInstance() {
        return two.cache();
    }

    @Override
    void advance(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    Duration ttl() {
        return Duration.ofMillis(800);
    }

    @Test
    void isHealthy_connected_trueAndDescribed() {
        assertThat(one.isHealthy()).isTrue();
        assertThat(one.describe()).isEqualTo("redis 127.0.0.1:6379/0 prefix " + PREFIX + " (healthy)");
    }

    @Test
    void cache_otherPrefix_isInvisible() {
        one.cache().put(key, "mine", Duration.ofSeconds(5));
        try (RedisState stranger = RedisTesting.connect(RedisTesting.randomPrefix())) {
            assertThat(stranger.cache().get(key)).isEmpty();
        }
    }

    @Test
    void connect_nobodyListening_failsFast() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();
        String url = "redis://127.0.0.1:" + port;
        assertThatThrownBy(() -> RedisState.connect(url, InstantSource.system(), healthy -> { }))
                .isInstanceOf(StateUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
}

package dev.telescale.runtime.state;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The pub/sub contract across two RedisState instances on the machine's Redis. */
class RedisPubSubTest extends PubSubContract {
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
    }

    @Override
    SharedState publisherSide() {
        return one;
    }

    @Override
    SharedState subscriberSide() {
        return two;
    }
}

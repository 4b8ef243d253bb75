package dev.telescale.runtime.state;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The lease contract on the machine's Redis, two connections as two instances, real time. */
class RedisLeasesTest extends LeasesContract {
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
    Leases leases() {
        return one.leases();
    }

    @Override
    Leases otherInstance() {
        return two.leases();
    }

    @Override
    Duration ttl() {
        return Duration.ofMillis(1_000);
    }

    @Override
    void advance(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }
}

package dev.telescale.runtime.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentCountTest {
    private final AtomicLong nowMillis = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(nowMillis.get());
    private final AtomicInteger counted = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger(7);

    private final RecentCount count = new RecentCount(() -> {
        counted.incrementAndGet();
        return pending.get();
    }, Duration.ofMillis(250), clock);

    @Test
    void withinMaxAge_countsOnceAndAnswersTheSameValue() {
        assertThat(count.getAsInt()).isEqualTo(7);
        pending.set(9);
        nowMillis.addAndGet(249);

        assertThat(count.getAsInt()).isEqualTo(7);
        assertThat(counted).hasValue(1);
    }

    @Test
    void afterMaxAge_countsAgain() {
        count.getAsInt();
        pending.set(9);
        nowMillis.addAndGet(250);

        assertThat(count.getAsInt()).isEqualTo(9);
        assertThat(counted).hasValue(2);
    }

    @Test
    void failingCount_propagatesAndTheNextCallCountsAgain() {
        RecentCount failing = new RecentCount(() -> {
            if (counted.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
            }
            return 3;
        }, Duration.ofMillis(250), clock);

        assertThatThrownBy(failing::getAsInt).hasMessage("database down");
        assertThat(failing.getAsInt()).isEqualTo(3);
    }
}

package dev.telescale.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InProcessStateTest extends SharedCacheContract {
    private final FakeClock clock = new FakeClock();
    private final InProcessState state = new InProcessState(clock, 1_000);

    @Override
    SharedCache cache() {
        return state.cache();
    }

    @Override
    SharedCache otherInstance() {
        return state.cache();
    }

    @Override
    void advance(Duration duration) {
        clock.advance(duration);
    }

    @Override
    Duration ttl() {
        return Duration.ofMinutes(10);
    }

    @Test
    void isHealthy_always() {
        assertThat(state.isHealthy()).isTrue();
        assertThat(state.describe()).isEqualTo("in-process");
    }

    @Test
    void put_beyondMaximumSize_evictsSome() {
        for (int i = 0; i < 5_000; i++) {
            state.cache().put("k" + i, "v", ttl());
        }
        long present = java.util.stream.IntStream.range(0, 5_000)
                .filter(i -> state.cache().get("k" + i).isPresent()).count();
        assertThat(present).isLessThanOrEqualTo(1_000);
    }
}

package dev.telescale.runtime.state;

import java.time.Duration;

class InProcessLeasesTest extends LeasesContract {
    private final FakeClock clock = new FakeClock();
    private final InProcessState state = new InProcessState(clock);

    @Override
    Leases leases() {
        return state.leases();
    }

    @Override
    Leases otherInstance() {
        return state.leases();
    }

    @Override
    Duration ttl() {
        return Duration.ofSeconds(30);
    }

    @Override
    void advance(Duration duration) {
        clock.advance(duration);
    }
}

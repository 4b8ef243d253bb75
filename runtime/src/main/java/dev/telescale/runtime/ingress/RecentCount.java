package dev.telescale.runtime.ingress;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * A count that is expensive to take (a {@code count(*)} over the journal) and read often (on every
 * webhook request, by the overload check): taken at most once per {@code maxAge}, by the caller that
 * finds it stale, while concurrent callers read the previous value instead of counting too.
 *
 * <p>Why a stale count is fine where it is used: the overload check only has to keep the backlog
 * near its limit; admitting up to {@code maxAge} of extra traffic past it is harmless, and counting
 * on every request cost one query per update (4 % of a webhook run's CPU samples, more as the
 * backlog it counts grows). Thread-safe: the value and its time are published together in one
 * volatile record; one refresher at a time.
 */
public final class RecentCount implements IntSupplier {
    private record Taken(int value, long atMillis) {
    }

    private final IntSupplier source;
    private final long maxAgeMillis;
    private final InstantSource clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Taken last;

    public RecentCount(IntSupplier source, Duration maxAge, InstantSource clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The count, taken now if the last one is older than the maximum age (or there is none). */
    @Override
    public int getAsInt() {
        Taken taken = last;
        long now = clock.millis();
        if (taken != null && now - taken.atMillis() < maxAgeMillis) {
            return taken.value();
        }
        if (taken != null && !refreshing.compareAndSet(false, true)) {
            return taken.value(); // someone else is counting; the previous value stands meanwhile
        }
        try {
            Taken fresh = new Taken(source.getAsInt(), now);
            last = fresh;
            return fresh.value();
        } finally {
            refreshing.set(false);
        }
    }
}

package dev.telescale.runtime.state;

import java.time.InstantSource;

/**
 * Shared state for a single instance: everything lives in this JVM ({@link InProcessLeases},
 * {@link InProcessRateLimiter}, {@link InProcessPubSub}, {@link InProcessCache}). Thread-safe;
 * each part documents its own locking. Time comes from the injected clock, so tests drive
 * expiries and refills with a fake one. Always healthy.
 */
public final class InProcessState implements SharedState {
    /** Default bound of the cache tier, in entries. */
    public static final long DEFAULT_CACHE_SIZE = 100_000;

    private final StateCounters counters = new StateCounters();
    private final InProcessLeases leases;
    private final InProcessRateLimiter rateLimiter;
    private final InProcessPubSub pubSub = new InProcessPubSub(counters);
    private final InProcessCache cache;

    public InProcessState(InstantSource clock) {
        this(clock, DEFAULT_CACHE_SIZE);
    }

    public InProcessState(InstantSource clock, long cacheSize) {
        this.leases = new InProcessLeases(clock);
        this.rateLimiter = new InProcessRateLimiter(clock);
        this.cache = new InProcessCache(clock, cacheSize);
    }

    @Override
    public Leases leases() {
        return leases;
    }

    @Override
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    @Override
    public PubSub pubSub() {
        return pubSub;
    }

    @Override
    public SharedCache cache() {
        return cache;
    }

    @Override
    public boolean isHealthy() {
        return true;
    }

    @Override
    public String describe() {
        return "in-process";
    }

    @Override
    public StateCounters counters() {
        return counters;
    }

    /** Stops delivering pub/sub messages; the other parts keep working. */
    @Override
    public void close() {
        pubSub.close();
    }
}

package dev.telescale.runtime.state;

/**
 * Everything instances share: {@link InProcessState} on one machine, {@link RedisState} (or
 * {@link DegradingState} around it) for many instances behind a load balancer.
 */
public interface SharedState extends AutoCloseable {
    Leases leases();

    RateLimiter rateLimiter();

    PubSub pubSub();

    SharedCache cache();

    /** Whether the backend answers now (always true in process). */
    boolean isHealthy();

    /** One line for logs and the admin page, e.g. {@code redis 127.0.0.1:6379/0 prefix telescale: (healthy)}. */
    String describe();

    /** Counters for metrics: listener failures, dropped messages, degraded calls. */
    StateCounters counters();

    @Override
    void close();
}

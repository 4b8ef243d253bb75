package dev.telescale.runtime.app;

import java.time.Duration;
import java.util.Objects;

/**
 * Work an application wants done every {@code interval} by one instance of the deployment (time
 * outs, sweeps, broadcast batches). Each run is one transaction: its reads, writes and queued calls
 * commit together or not at all, so a run cut short by a crash is simply done again by the next.
 *
 * @param name     unique within the application; names the lease that picks the instance
 * @param interval time between runs (at least 100 ms)
 */
public record PeriodicTask(String name, Duration interval, Body body) {
    public PeriodicTask {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if (interval == null || interval.toMillis() < 100) {
            throw new IllegalArgumentException("a periodic task runs at most every 100 ms");
        }
    }

    /** One run. A thrown exception rolls the run back; the next run tries again. */
    @FunctionalInterface
    public interface Body {
        void run(TaskContext context) throws Exception;
    }
}

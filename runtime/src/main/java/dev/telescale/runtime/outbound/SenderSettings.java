package dev.telescale.runtime.outbound;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link Sender} works.
 *
 * @param maxInFlight          Bot API calls in flight at once (one per chat at most)
 * @param broadcastMaxInFlight of those, at most this many for broadcasts (lane 1), so slow broadcast
 *                             calls never occupy every slot
 * @param pollLimit            heads fetched per poll of the queue
 * @param retryDeadline        transient failures are retried until this long after the first attempt
 * @param baseBackoff          first back-off ceiling after a transient failure (full jitter: a random
 *                             wait between 0 and base * 2^attempts)
 * @param maxBackoff           the largest back-off ceiling
 */
public record SenderSettings(int maxInFlight, int broadcastMaxInFlight, int pollLimit, Duration retryDeadline,
                             Duration baseBackoff, Duration maxBackoff) {
    public SenderSettings {
        if (maxInFlight < 1 || broadcastMaxInFlight < 1 || pollLimit < 1) {
            throw new IllegalArgumentException("maxInFlight, broadcastMaxInFlight and pollLimit must be at least 1");
        }
        Objects.requireNonNull(retryDeadline, "retryDeadline");
        Objects.requireNonNull(baseBackoff, "baseBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
    }

    public static SenderSettings defaults() {
        return new SenderSettings(256, 192, 512, Duration.ofMinutes(10), Duration.ofMillis(500), Duration.ofSeconds(60));
    }

    public SenderSettings withBackoff(Duration base, Duration max) {
        return new SenderSettings(maxInFlight, broadcastMaxInFlight, pollLimit, retryDeadline, base, max);
    }

    public SenderSettings withRetryDeadline(Duration deadline) {
        return new SenderSettings(maxInFlight, broadcastMaxInFlight, pollLimit, deadline, baseBackoff, maxBackoff);
    }

    public SenderSettings withInFlight(int max, int broadcastMax) {
        return new SenderSettings(max, broadcastMax, pollLimit, retryDeadline, baseBackoff, maxBackoff);
    }
}

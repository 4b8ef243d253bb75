package dev.telescale.runtime.state;

import java.time.Duration;
import java.util.List;

/**
 * Token buckets shared by every instance. A bucket holds at most {@code burst} tokens, starts
 * full and refills at {@code ratePerSecond}; the rate and burst travel with each call, so they
 * can change without migrating state. A bucket idle long enough to be full again is forgotten.
 *
 * <p>Implementations are thread-safe. They throw {@link StateUnavailableException} when their
 * backend cannot be reached.
 */
public interface RateLimiter {
    /**
     * Takes one token from every listed bucket, atomically, or none.
     *
     * @param buckets at least one; keys must be distinct
     * @return 0 when the tokens were taken, else the milliseconds (at least 1) until every
     *     bucket would have a token
     */
    long tryAcquire(List<Bucket> buckets);

    /**
     * Empties the bucket and blocks it for {@code pause} (Telegram's 429 {@code retry_after} for
     * a chat or for the whole bot): until then {@link #tryAcquire} reports the remaining pause;
     * afterwards the bucket has one token and refills at its rate. A shorter pause than one in
     * force does not shorten it.
     */
    void penalize(String key, Duration pause);

    /** One bucket of a {@link #tryAcquire} call. */
    record Bucket(String key, double ratePerSecond, int burst) {
        public Bucket {
            if (key.isBlank()) {
                throw new IllegalArgumentException("bucket key must not be blank");
            }
            if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
                throw new IllegalArgumentException("ratePerSecond must be positive and finite: " + ratePerSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1: " + burst);
            }
        }
    }
}

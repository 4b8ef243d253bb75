package dev.telescale.runtime.state;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Argument checks shared by the implementations, so all of them reject the same calls. */
final class Checks {
    private Checks() {
    }

    /** The TTL in whole milliseconds, at least 1. */
    static long ttlMillis(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        return Math.max(1, ttl.toMillis());
    }

    static long pauseMillis(Duration pause) {
        if (pause.isNegative()) {
            throw new IllegalArgumentException("pause must not be negative: " + pause);
        }
        return pause.toMillis();
    }

    static void buckets(List<RateLimiter.Bucket> buckets) {
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("at least one bucket is needed");
        }
        Set<String> keys = new HashSet<>();
        for (RateLimiter.Bucket bucket : buckets) {
            if (!keys.add(bucket.key())) {
                throw new IllegalArgumentException("bucket listed twice: " + bucket.key());
            }
        }
    }
}

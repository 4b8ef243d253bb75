package dev.telescale.runtime.state;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Token buckets in process, the same arithmetic as {@code RedisRateLimiter}'s script.
 *
 * <p>Concurrency: each bucket's state is guarded by its own {@link ReentrantLock} (not a monitor,
 * so virtual threads do not pin). A call locks all its buckets in key order, which rules out
 * deadlock between calls sharing buckets, decides, and takes from all or none while holding
 * them: the all-or-nothing step is atomic. At most once a minute a caller sweeps out buckets idle
 * long enough to be full again; a swept state is marked dead under its lock and removed, and a
 * caller that locked a dead state retries with the fresh one, so no token is taken from a state
 * nobody else sees.
 */
final class InProcessRateLimiter implements RateLimiter {
    private static final long SWEEP_EVERY_MILLIS = 60_000;
    /** A bucket untouched this long (and full, and unblocked) is forgotten. */
    private static final long IDLE_MILLIS = 60_000;

    private final InstantSource clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    InProcessRateLimiter(InstantSource clock) {
        this.clock = clock;
        this.nextSweep = new AtomicLong(clock.millis() + SWEEP_EVERY_MILLIS);
    }

    @Override
    public long tryAcquire(List<Bucket> buckets) {
        Checks.buckets(buckets);
        List<Bucket> ordered = new ArrayList<>(buckets);
        ordered.sort(Comparator.comparing(Bucket::key));
        List<State> locked = lockAll(ordered);
        try {
            long now = clock.millis();
            long wait = 0;
            for (int i = 0; i < ordered.size(); i++) {
                wait = Math.max(wait, locked.get(i).millisUntilToken(ordered.get(i), now));
            }
            if (wait == 0) {
                for (int i = 0; i < ordered.size(); i++) {
                    locked.get(i).take(ordered.get(i), now);
                }
            }
            return wait;
        } finally {
            locked.forEach(state -> state.lock.unlock());
            maybeSweep();
        }
    }

    @Override
    public void penalize(String key, Duration pause) {
        long pauseMillis = Checks.pauseMillis(pause);
        State state = lockLive(key);
        try {
            state.block(clock.millis() + pauseMillis);
        } finally {
            state.lock.unlock();
        }
    }

    int size() {
        return states.size();
    }

    private List<State> lockAll(List<Bucket> ordered) {
        List<State> locked = new ArrayList<>(ordered.size());
        for (Bucket bucket : ordered) {
            locked.add(lockLive(bucket.key()));
        }
        return locked;
    }

    private State lockLive(String key) {
        while (true) {
            State state = states.computeIfAbsent(key, k -> new State());
            state.lock.lock();
            if (!state.dead) {
                return state;
            }
            state.lock.unlock();
        }
    }

    private void maybeSweep() {
        long now = clock.millis();
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + SWEEP_EVERY_MILLIS)) {
            return;
        }
        states.forEach((key, state) -> {
            if (state.lock.tryLock()) {
                try {
                    if (state.idle(now)) {
                        state.dead = true;
                        states.remove(key, state);
                    }
                } finally {
                    state.lock.unlock();
                }
            }
        });
    }

    /** One bucket; every field guarded by {@link #lock}. */
    private static final class State {
        final ReentrantLock lock = new ReentrantLock();
        boolean dead;
        /** False until first used: a fresh bucket is full. */
        boolean present;
        double tokens;
        long stamp;
        long blockedUntil = Long.MIN_VALUE;
        double lastRatePerMilli;
        int lastBurst;

        double tokensAt(Bucket bucket, long now) {
            if (!present) {
                return bucket.burst();
            }
            double refill = Math.max(0, now - stamp) * bucket.ratePerSecond() / 1000.0;
            return Math.min(bucket.burst(), tokens + refill);
        }

        long millisUntilToken(Bucket bucket, long now) {
            if (now < blockedUntil) {
                return blockedUntil - now;
            }
            double available = tokensAt(bucket, now);
            if (available >= 1) {
                return 0;
            }
            // Less a micro-millisecond, so floating-point dust (0.999 tokens...) does not add a whole ms.
            return Math.max(1, (long) Math.ceil((1 - available) * 1000.0 / bucket.ratePerSecond() - 1e-6));
        }

        void take(Bucket bucket, long now) {
            tokens = tokensAt(bucket, now) - 1;
            stamp = now;
            present = true;
            lastRatePerMilli = bucket.ratePerSecond() / 1000.0;
            lastBurst = bucket.burst();
        }

        void block(long until) {
            if (until > blockedUntil) {
                blockedUntil = until;
                tokens = 1;
                stamp = until;
                present = true;
            }
        }

        boolean idle(long now) {
            if (now < blockedUntil || now - Math.max(stamp, blockedUntil) < IDLE_MILLIS) {
                return false;
            }
            return lastBurst == 0 || tokens + (now - stamp) * lastRatePerMilli >= lastBurst;
        }
    }
}

package dev.telescale.runtime.state;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RedisState} that keeps an instance working while Redis is unreachable, with weaker
 * guarantees, and returns to Redis by itself when it answers again.
 *
 * <p>Every call goes to Redis while {@link RedisState#isHealthy()} holds; a call made while it
 * does not, or one that fails with {@link StateUnavailableException}, takes the degraded path
 * (counted in {@link StateCounters#degradedCalls()}):
 *
 * <ul>
 *   <li><b>Rate limiting</b> falls back to an in-process limiter, so this instance still obeys the
 *       limits locally. Several instances then each allow the full rate, together up to
 *       {@code instancesHint} times the per-bot limit; to stay under it, pass the number of
 *       instances as {@code instancesHint}: the fallback divides every rate by it and every burst
 *       too (at least 1). {@link RateLimiter#penalize} is always recorded locally as well, so a
 *       429 pause survives the switch to the fallback. The local buckets start full.
 *   <li><b>Leases</b>: new acquisitions return false, since exclusivity cannot be checked. A lease
 *       this instance holds keeps renewing (and re-acquiring by the same owner) locally, but only
 *       until the expiry of its last successful Redis acquire or renew, measured from before that
 *       call was sent; local renewals never extend it. So a poller survives a blip shorter than its
 *       remaining TTL. Why it is safe: until that moment Redis still holds our key (it set the
 *       expiry later than we measured), so no other instance could take the lease; if Redis lost
 *       its data (restart without persistence) another instance may take the lease as soon as Redis
 *       is back, and both believe they hold it for at most the rest of one TTL. Never two holders
 *       for longer than a TTL. {@link Leases#holder} reports only this instance's local leases.
 *   <li><b>Pub/sub</b>: publishes are dropped and counted ({@link StateCounters#droppedPublishes()});
 *       subscriptions stay registered and are restored by {@link RedisState} when Redis is back.
 *   <li><b>Cache</b>: every get misses. Puts and deletes cannot reach Redis, which may then hold
 *       values made stale by them, so their keys are remembered (up to {@value #MAX_PENDING}) and
 *       deleted from Redis before any other cache call once it is back; beyond that bound the
 *       whole cache namespace is cleared instead.
 * </ul>
 *
 * <p>Concurrency: the wrapped states are thread-safe; the local lease map is a concurrent map
 * updated per entry; pending invalidations are a concurrent set, replayed under {@link
 * #replayLock} so that cache calls wait for the replay rather than read a stale value.
 * {@link #isHealthy()} reports Redis's health; a degraded instance still serves, so readiness
 * checks may keep it in rotation.
 */
public final class DegradingState implements SharedState {
    static final int MAX_PENDING = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DegradingState.class);

    private final RedisState primary;
    private final InProcessState fallback;
    private final int instancesHint;
    private final InstantSource clock;
    private final Leases leases = new DegradingLeases();
    private final RateLimiter rateLimiter = new DegradingRateLimiter();
    private final PubSub pubSub = new DegradingPubSub();
    private final SharedCache cache = new DegradingCache();

    private record HeldLease(String owner, long validUntil) {
    }

    private final Map<String, HeldLease> held = new ConcurrentHashMap<>();
    private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
    private final ReentrantLock replayLock = new ReentrantLock();
    private volatile boolean invalidationsPending;
    private volatile boolean invalidationsOverflowed;

    public DegradingState(RedisState primary, InProcessState fallback, int instancesHint, InstantSource clock) {
        if (instancesHint < 1) {
            throw new IllegalArgumentException("instancesHint must be at least 1: " + instancesHint);
        }
        this.primary = primary;
        this.fallback = fallback;
        this.instancesHint = instancesHint;
        this.clock = clock;
    }

    /** Wraps {@code primary} with a fresh in-process fallback on the same clock. */
    public static DegradingState over(RedisState primary, int instancesHint, InstantSource clock) {
        return new DegradingState(primary, new InProcessState(clock), instancesHint, clock);
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
        return primary.isHealthy();
    }

    /** Whether calls are being answered by the degraded path now. */
    public boolean isDegraded() {
        return !primary.isHealthy();
    }

    @Override
    public String describe() {
        return primary.describe() + (isDegraded()
                ? ", degraded: in-process rate limits / " + instancesHint + ", no new leases, no pub/sub, cache misses"
                : "");
    }

    @Override
    public StateCounters counters() {
        return primary.counters();
    }

    @Override
    public void close() {
        try {
            primary.close();
        } finally {
            fallback.close();
        }
    }

    /** Runs {@code remote} on Redis, or returns null (after counting) when it is unreachable. */
    private <T> @Nullable T remote(Supplier<T> remote) {
        if (primary.isHealthy()) {
            try {
                return remote.get();
            } catch (StateUnavailableException e) {
                LOG.debug("Redis call failed, degrading", e);
            }
        }
        primary.counters().degradedCall();
        return null;
    }

    private boolean remoteRun(Runnable remote) {
        return remote(() -> {
            remote.run();
            return Boolean.TRUE;
        }) != null;
    }

    private final class DegradingLeases implements Leases {
        @Override
        public boolean tryAcquire(String name, String owner, Duration ttl) {
            long ttlMillis = Checks.ttlMillis(ttl);
            long sent = clock.millis();
            Boolean acquired = remote(() -> primary.leases().tryAcquire(name, owner, ttl));
            return acquired == null ? heldLocally(name, owner) : remember(name, owner, acquired, sent + ttlMillis);
        }

        @Override
        public boolean renew(String name, String owner, Duration ttl) {
            long ttlMillis = Checks.ttlMillis(ttl);
            long sent = clock.millis();
            Boolean renewed = remote(() -> primary.leases().renew(name, owner, ttl));
            return renewed == null ? heldLocally(name, owner) : remember(name, owner, renewed, sent + ttlMillis);
        }

        @Override
        public void release(String name, String owner) {
            held.computeIfPresent(name, (key, lease) -> lease.owner().equals(owner) ? null : lease);
            remoteRun(() -> primary.leases().release(name, owner));
        }

        @Override
        public Optional<String> holder(String name) {
            Optional<String> remote = remote(() -> primary.leases().holder(name));
            if (remote != null) {
                return remote;
            }
            HeldLease lease = held.get(name);
            return lease != null && clock.millis() < lease.validUntil() ? Optional.of(lease.owner()) : Optional.empty();
        }

        private boolean remember(String name, String owner, boolean holds, long validUntil) {
            if (holds) {
                held.put(name, new HeldLease(owner, validUntil));
            } else {
                held.computeIfPresent(name, (key, lease) -> lease.owner().equals(owner) ? null : lease);
            }
            return holds;
        }

        private boolean heldLocally(String name, String owner) {
            HeldLease lease = held.get(name);
            return lease != null && lease.owner().equals(owner) && clock.millis() < lease.validUntil();
        }
    }

    private final class DegradingRateLimiter implements RateLimiter {
        @Override
        public long tryAcquire(List<Bucket> buckets) {
            Long wait = remote(() -> primary.rateLimiter().tryAcquire(buckets));
            if (wait != null) {
                return wait;
            }
            List<Bucket> shares = buckets.stream()
                    .map(bucket -> new Bucket(bucket.key(), bucket.ratePerSecond() / instancesHint,
                            Math.max(1, bucket.burst() / instancesHint)))
                    .toList();
            return fallback.rateLimiter().tryAcquire(shares);
        }

        @Override
        public void penalize(String key, Duration pause) {
            fallback.rateLimiter().penalize(key, pause);
            remoteRun(() -> primary.rateLimiter().penalize(key, pause));
        }
    }

    private final class DegradingPubSub implements PubSub {
        @Override
        public void publish(String channel, String message) {
            if (!remoteRun(() -> primary.pubSub().publish(channel, message))) {
                primary.counters().publishDropped();
            }
        }

        @Override
        public AutoCloseable subscribe(String channel, Consumer<String> listener) {
            return primary.pubSub().subscribe(channel, listener);
        }
    }

    private final class DegradingCache implements SharedCache {
        @Override
        public Optional<String> get(String key) {
            Optional<String> value = replayed() ? remote(() -> primary.cache().get(key)) : null;
            return value == null ? Optional.empty() : value;
        }

        @Override
        public void put(String key, String value, Duration ttl) {
            Checks.ttlMillis(ttl);
            if (!replayed() || !remoteRun(() -> primary.cache().put(key, value, ttl))) {
                invalidateLater(key);
            }
        }

        @Override
        public void delete(String key) {
            if (!replayed() || !remoteRun(() -> primary.cache().delete(key))) {
                invalidateLater(key);
            }
        }

        private void invalidateLater(String key) {
            if (pendingInvalidations.size() >= MAX_PENDING) {
                invalidationsOverflowed = true;
            } else {
                pendingInvalidations.add(key);
            }
            invalidationsPending = true;
        }

        /** Deletes what the outage left stale; false while that cannot be done yet. */
        private boolean replayed() {
            if (!invalidationsPending) {
                return true;
            }
            if (!primary.isHealthy()) {
                return false;
            }
            replayLock.lock();
            try {
                if (!invalidationsPending) {
                    return true;
                }
                invalidationsPending = false;
                if (invalidationsOverflowed) {
                    invalidationsOverflowed = false;
                    pendingInvalidations.clear();
                    primary.clearCache();
                    LOG.info("cleared the shared cache after an outage");
                } else {
                    for (String key : pendingInvalidations) {
                        primary.cache().delete(key);
                        pendingInvalidations.remove(key);
                    }
                }
                return true;
            } catch (StateUnavailableException e) {
                invalidationsPending = true;
                return false;
            } finally {
                replayLock.unlock();
            }
        }
    }
}

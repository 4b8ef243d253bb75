package dev.telescale.runtime.state;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leases in a {@link ConcurrentHashMap}. Every decision runs inside {@code compute} on the
 * lease's entry, so check-and-set is atomic per name; time comes from the injected clock and a
 * lease is held while {@code now < expiresAt}. Expired entries are replaced on the next acquire
 * or dropped on release; leases are few (one per bot), so nothing sweeps them.
 */
final class InProcessLeases implements Leases {
    private record Lease(String owner, long expiresAt) {
        boolean heldBy(String candidate, long now) {
            return owner.equals(candidate) && now < expiresAt;
        }
    }

    private final InstantSource clock;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    InProcessLeases(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public boolean tryAcquire(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        long now = clock.millis();
        Lease result = leases.compute(name, (key, current) ->
                current == null || current.expiresAt() <= now || current.owner().equals(owner)
                        ? new Lease(owner, now + ttlMillis)
                        : current);
        return result.owner().equals(owner);
    }

    @Override
    public boolean renew(String name, String owner, Duration ttl) {
        long ttlMillis = Checks.ttlMillis(ttl);
        long now = clock.millis();
        boolean[] renewed = {false};
        leases.computeIfPresent(name, (key, current) -> {
            if (current.heldBy(owner, now)) {
                renewed[0] = true;
                return new Lease(owner, now + ttlMillis);
            }
            return current;
        });
        return renewed[0];
    }

    @Override
    public void release(String name, String owner) {
        leases.computeIfPresent(name, (key, current) -> current.owner().equals(owner) ? null : current);
    }

    @Override
    public Optional<String> holder(String name) {
        Lease lease = leases.get(name);
        long now = clock.millis();
        return lease != null && now < lease.expiresAt() ? Optional.of(lease.owner()) : Optional.empty();
    }
}

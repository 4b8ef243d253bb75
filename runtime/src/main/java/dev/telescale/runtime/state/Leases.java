package dev.telescale.runtime.state;

import java.time.Duration;
import java.util.Optional;

/**
 * Named, time-limited exclusive leases (e.g. "who polls bot 42"). A lease is held by one owner
 * until it expires or is released; an expired lease is free.
 *
 * <p>Implementations are thread-safe. They throw {@link StateUnavailableException} when their
 * backend cannot be reached.
 */
public interface Leases {
    /**
     * Takes the lease for {@code ttl} if it is free, expired, or already held by {@code owner}
     * (then its expiry moves to now + ttl).
     *
     * @return whether {@code owner} holds the lease now
     */
    boolean tryAcquire(String name, String owner, Duration ttl);

    /** Extends the lease to now + ttl; succeeds only while {@code owner} holds it (not expired). */
    boolean renew(String name, String owner, Duration ttl);

    /** Frees the lease if {@code owner} holds it; does nothing otherwise. */
    void release(String name, String owner);

    /** The current, unexpired holder. */
    Optional<String> holder(String name);
}

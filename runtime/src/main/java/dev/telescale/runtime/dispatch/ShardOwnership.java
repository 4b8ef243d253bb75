package dev.telescale.runtime.dispatch;

import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.state.Leases;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which shards this instance dispatches and sends for. Each shard is a lease ({@code shard:<n>});
 * each live instance also holds one membership slot ({@code member:<k>}), which tells everyone how
 * many instances there are. Every round (a third of the TTL) an instance renews what it holds,
 * takes free shards up to its fair share (shards / members, rounded up) and gives back shards
 * above it, so load spreads when instances join and a dead instance's shards are taken over once
 * its leases expire. A shard it fails to renew is dropped from {@link #owned()} at once.
 *
 * <p>With in-process state (one instance) every shard is owned from the start. Thread-safe:
 * {@link #owned()} returns an immutable snapshot swapped atomically.
 */
public final class ShardOwnership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardOwnership.class);
    private static final int MAX_MEMBERS = 64;

    private final Leases leases;
    private final String instanceId;
    private final Duration ttl;
    private final Runnable onGained;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Set<Integer> owned;
    private int memberSlot = -1;
    private Thread thread;

    private ShardOwnership(Leases leases, String instanceId, Duration ttl, Runnable onGained, Set<Integer> initial) {
        this.leases = leases;
        this.instanceId = instanceId;
        this.ttl = ttl;
        this.onGained = onGained;
        this.owned = initial;
    }

    /** Every shard, always (a single instance on in-process state). */
    public static ShardOwnership all() {
        TreeSet<Integer> shards = new TreeSet<>();
        for (int shard = 0; shard < Partitioning.SHARDS; shard++) {
            shards.add(shard);
        }
        return new ShardOwnership(null, "single", Duration.ZERO, () -> { }, Set.copyOf(shards));
    }

    /** Shards shared with other instances through leases; {@code onGained} runs when new shards are taken. */
    public static ShardOwnership shared(Leases leases, String instanceId, Duration ttl, Runnable onGained) {
        ShardOwnership ownership = new ShardOwnership(leases, instanceId, ttl, onGained, Set.of());
        ownership.round();
        ownership.thread = Thread.ofVirtual().name("shard-ownership").start(ownership::loop);
        return ownership;
    }

    public Set<Integer> owned() {
        return owned;
    }

    private void loop() {
        while (running.get()) {
            try {
                Thread.sleep(Math.max(50, ttl.toMillis() / 3));
                round();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("shard ownership round failed; keeping what is still renewed", e);
            }
        }
    }

    synchronized void round() {
        if (leases == null) {
            return;
        }
        if (memberSlot < 0 || !leases.renew("member:" + memberSlot, instanceId, ttl)) {
            memberSlot = -1;
            for (int slot = 0; slot < MAX_MEMBERS && memberSlot < 0; slot++) {
                if (leases.tryAcquire("member:" + slot, instanceId, ttl)) {
                    memberSlot = slot;
                }
            }
        }
        int members = 0;
        for (int slot = 0; slot < MAX_MEMBERS; slot++) {
            if (leases.holder("member:" + slot).isPresent()) {
                members++;
            }
        }
        int fairShare = (Partitioning.SHARDS + Math.max(1, members) - 1) / Math.max(1, members);
        TreeSet<Integer> kept = new TreeSet<>();
        for (int shard : owned) {
            if (leases.renew("shard:" + shard, instanceId, ttl)) {
                kept.add(shard);
            }
        }
        boolean gained = false;
        for (int shard = 0; shard < Partitioning.SHARDS && kept.size() < fairShare; shard++) {
            if (!kept.contains(shard) && leases.tryAcquire("shard:" + shard, instanceId, ttl)) {
                kept.add(shard);
                gained = true;
            }
        }
        while (kept.size() > fairShare) {
            int extra = kept.pollLast();
            leases.release("shard:" + extra, instanceId);
        }
        Set<Integer> next = Set.copyOf(kept);
        if (!next.equals(owned)) {
            log.info("instance {} owns {} of {} shards ({} instances)", instanceId, next.size(), Partitioning.SHARDS,
                    members);
        }
        owned = next;
        if (gained) {
            onGained.run();
        }
    }

    /** Gives every shard back, so other instances take them over without waiting for expiry. */
    @Override
    public void close() {
        running.set(false);
        if (thread != null) {
            thread.interrupt();
        }
        if (leases != null) {
            synchronized (this) {
                for (int shard : owned) {
                    leases.release("shard:" + shard, instanceId);
                }
                if (memberSlot >= 0) {
                    leases.release("member:" + memberSlot, instanceId);
                }
                owned = Set.of();
            }
        }
    }
}

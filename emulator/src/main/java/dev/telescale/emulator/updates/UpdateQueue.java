package dev.telescale.emulator.updates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.BotApiException;
import dev.telescale.emulator.api.Json;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pending updates of one bot, read either by getUpdates or by the webhook deliverer.
 *
 * <p>Ordering model (as the real server): update ids grow by one per stored update. getUpdates
 * sees one global order. Webhook delivery follows per-queue-key order: each key (the chat for
 * messages, the user for callback queries) has only its head in flight, a failed head blocks its
 * own key only while it backs off, and keys are independent of each other.
 *
 * <p>Concurrency: one lock guards everything; {@link #changed} wakes long polls and the
 * deliverer. A newer getUpdates call bumps {@code pollGeneration}, which makes a waiting older
 * call fail with the real 409 "terminated by other getUpdates request".
 */
public final class UpdateQueue {
    /** A stored update. The JSON includes {@code update_id} as its first field and is never mutated. */
    public record Pending(long updateId, String type, String queueKey, ObjectNode json, long createdAtMillis,
                          long expiresAtMillis) {
    }

    /** Update types that are only delivered when named in allowed_updates. */
    public static final Set<String> OPT_IN_TYPES = Set.of("chat_member", "message_reaction", "message_reaction_count");
    static final long WEEK_MILLIS = Duration.ofDays(7).toMillis();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final InstantSource clock;
    private final SplittableRandom random;
    private final TreeMap<Long, Pending> byId = new TreeMap<>();
    /** The same updates by expiry, so dropping expired ones never scans the whole queue. */
    private final java.util.TreeSet<Pending> byExpiry = new java.util.TreeSet<>(
            java.util.Comparator.comparingLong(Pending::expiresAtMillis).thenComparingLong(Pending::updateId));
    private final Map<String, ArrayDeque<Pending>> byKey = new HashMap<>();
    private final LinkedHashSet<String> readyKeys = new LinkedHashSet<>();
    private final Set<String> keysInFlight = new HashSet<>();
    private final Map<String, Long> keyRetryAtMillis = new HashMap<>();
    private Set<String> allowedTypes = Set.of();
    private long lastUpdateId;
    private long lastEnqueuedAtMillis;
    private long pollGeneration;

    public UpdateQueue(InstantSource clock, long seed) {
        this.clock = clock;
        this.random = new SplittableRandom(seed);
        this.lastUpdateId = 100_000_000L + random.nextInt(800_000_000);
    }

    /**
     * Stores an update unless the bot's allowed_updates exclude its type.
     *
     * @param body the update without update_id, e.g. {@code {"message": {...}}}
     * @return the stored update, or null when the type is not allowed
     */
    public Pending enqueue(String type, ObjectNode body, String queueKey, Duration ttl) {
        lock.lock();
        try {
            if (!isAllowed(type)) {
                return null;
            }
            long now = clock.millis();
            if (lastEnqueuedAtMillis != 0 && now - lastEnqueuedAtMillis > WEEK_MILLIS) {
                lastUpdateId = 100_000_000L + random.nextInt(800_000_000);
            }
            lastEnqueuedAtMillis = now;
            long id = ++lastUpdateId;
            ObjectNode json = Json.object();
            json.put("update_id", id);
            json.setAll(body);
            Pending pending = new Pending(id, type, queueKey, json, now, now + ttl.toMillis());
            byId.put(id, pending);
            byExpiry.add(pending);
            ArrayDeque<Pending> queue = byKey.computeIfAbsent(queueKey, k -> new ArrayDeque<>());
            queue.addLast(pending);
            if (queue.size() == 1 && !keysInFlight.contains(queueKey) && !keyRetryAtMillis.containsKey(queueKey)) {
                readyKeys.add(queueKey);
            }
            changed.signalAll();
            return pending;
        } finally {
            lock.unlock();
        }
    }

    private boolean isAllowed(String type) {
        if (allowedTypes.isEmpty()) {
            return !OPT_IN_TYPES.contains(type);
        }
        return allowedTypes.contains(type);
    }

    /** Sets allowed_updates; an empty set restores the default (all but the opt-in types). */
    public void setAllowedTypes(Set<String> types) {
        lock.lock();
        try {
            allowedTypes = Set.copyOf(types);
        } finally {
            lock.unlock();
        }
    }

    public Set<String> allowedTypes() {
        lock.lock();
        try {
            return allowedTypes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * getUpdates: confirms updates below a positive offset (or keeps the last |offset| for a
     * negative one), then returns up to {@code limit} updates, waiting up to {@code timeout} for
     * the first one. A newer call while this one waits makes this one fail with the real 409.
     */
    public List<Pending> poll(long offset, int limit, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long generation = ++pollGeneration;
            changed.signalAll();
            confirm(offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                dropExpired();
                if (!byId.isEmpty()) {
                    List<Pending> result = new ArrayList<>(Math.min(limit, byId.size()));
                    for (Pending pending : byId.values()) {
                        if (result.size() >= limit) {
                            break;
                        }
                        result.add(pending);
                    }
                    return result;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return List.of();
                }
                changed.awaitNanos(remaining);
                if (pollGeneration != generation) {
                    throw BotApiException.conflict(
                            "terminated by other getUpdates request; make sure that only one bot instance is running");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void confirm(long offset) {
        if (offset > 0) {
            while (!byId.isEmpty() && byId.firstKey() < offset) {
                remove(byId.firstEntry().getValue());
            }
        } else if (offset < 0) {
            long keep = -offset;
            while (byId.size() > keep) {
                remove(byId.firstEntry().getValue());
            }
        }
    }

    private void remove(Pending pending) {
        byId.remove(pending.updateId());
        byExpiry.remove(pending);
        ArrayDeque<Pending> queue = byKey.get(pending.queueKey());
        if (queue == null) {
            return;
        }
        boolean wasHead = queue.peekFirst() == pending;
        queue.remove(pending);
        if (queue.isEmpty()) {
            byKey.remove(pending.queueKey());
            readyKeys.remove(pending.queueKey());
            keyRetryAtMillis.remove(pending.queueKey());
        } else if (wasHead && !keysInFlight.contains(pending.queueKey())) {
            keyRetryAtMillis.remove(pending.queueKey());
            readyKeys.add(pending.queueKey());
        }
    }

    private void dropExpired() {
        if (byExpiry.isEmpty()) {
            return;
        }
        long now = clock.millis();
        List<Pending> expired = null;
        for (Pending pending : byExpiry) {
            if (pending.expiresAtMillis() > now) {
                break;
            }
            if (!keysInFlight.contains(pending.queueKey())) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(pending);
            }
        }
        if (expired != null) {
            expired.forEach(this::remove);
        }
    }

    /**
     * Webhook side: takes the heads of up to {@code maxKeys - inFlight} ready keys and marks their
     * keys in flight. A key that backs off becomes ready again at its retry time.
     */
    public List<Pending> takeForDelivery(int maxKeys) {
        lock.lock();
        try {
            dropExpired();
            long now = clock.millis();
            if (!keyRetryAtMillis.isEmpty()) {
                Iterator<Map.Entry<String, Long>> it = keyRetryAtMillis.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, Long> entry = it.next();
                    if (entry.getValue() <= now) {
                        it.remove();
                        if (byKey.containsKey(entry.getKey())) {
                            readyKeys.add(entry.getKey());
                        }
                    }
                }
            }
            int free = maxKeys - keysInFlight.size();
            if (free <= 0 || readyKeys.isEmpty()) {
                return List.of();
            }
            List<Pending> taken = new ArrayList<>(Math.min(free, readyKeys.size()));
            Iterator<String> keys = readyKeys.iterator();
            while (keys.hasNext() && taken.size() < free) {
                String key = keys.next();
                keys.remove();
                ArrayDeque<Pending> queue = byKey.get(key);
                if (queue == null || queue.isEmpty()) {
                    continue;
                }
                keysInFlight.add(key);
                taken.add(queue.peekFirst());
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** The webhook accepted the update: it is gone, and its key's next update may go. */
    public void deliverySucceeded(Pending pending) {
        lock.lock();
        try {
            keysInFlight.remove(pending.queueKey());
            if (byId.containsKey(pending.updateId())) {
                remove(pending);
            } else {
                requeueKey(pending.queueKey());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The delivery failed: the key waits until {@code retryAtMillis}, other keys go on. */
    public void deliveryFailed(Pending pending, long retryAtMillis) {
        lock.lock();
        try {
            keysInFlight.remove(pending.queueKey());
            if (byKey.containsKey(pending.queueKey())) {
                keyRetryAtMillis.put(pending.queueKey(), retryAtMillis);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void requeueKey(String key) {
        if (byKey.containsKey(key) && !keyRetryAtMillis.containsKey(key)) {
            readyKeys.add(key);
        }
    }

    /**
     * Webhook side: waits until a key could be taken (one is ready and fewer than {@code maxKeys}
     * are in flight), the queue changes, a key's back-off ends, or the time passes.
     */
    public void awaitChange(long maxWaitMillis, int maxKeys) throws InterruptedException {
        lock.lock();
        try {
            if (!readyKeys.isEmpty() && keysInFlight.size() < maxKeys) {
                return;
            }
            long wait = maxWaitMillis;
            if (!keyRetryAtMillis.isEmpty()) {
                long earliest = keyRetryAtMillis.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
                wait = Math.min(wait, Math.max(1, earliest - clock.millis()));
            }
            changed.await(wait, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter (used when the webhook changes or the emulator stops). */
    public void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void dropAll() {
        lock.lock();
        try {
            byId.clear();
            byExpiry.clear();
            byKey.clear();
            readyKeys.clear();
            keyRetryAtMillis.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int pendingCount() {
        lock.lock();
        try {
            dropExpired();
            return byId.size();
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of all pending updates in id order. */
    public List<Pending> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(byId.values());
        } finally {
            lock.unlock();
        }
    }
}

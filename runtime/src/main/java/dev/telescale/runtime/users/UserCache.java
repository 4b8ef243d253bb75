package dev.telescale.runtime.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.dispatch.UserDirectory;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.state.PubSub;
import dev.telescale.runtime.state.SharedCache;
import dev.telescale.runtime.storage.TelegramUser;
import dev.telescale.runtime.storage.UserStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telegram users in three tiers: L1 in this process (Caffeine, bounded by size and time to live),
 * L2 the {@link SharedCache} (Redis when configured; JSON shaped like Telegram's User object under
 * {@code user:<id>}), L3 the database ({@link UserStore}). A lookup walks down the tiers and fills
 * the upper ones on the way back; every tier lookup is counted as a hit or a miss.
 *
 * <p>Writes: the runtime {@linkplain #observe(TelegramUser) observes} the sender of every update.
 * The profile is compared with what the tiers hold, and only a new or changed user is written: to
 * L3, then L2, then this instance's L1 entry is dropped and the user id is published on {@value
 * #INVALIDATION_CHANNEL} so every instance that {@linkplain #subscribe() subscribed} drops its L1
 * entry too. A steady stream of updates from one user thus costs L1 hits and no database write.
 *
 * <p>Concurrency: L1 holds futures ({@link AsyncCache}). A lookup that misses L1 inserts an
 * incomplete future, loads from L2/L3 on the calling thread and completes it; concurrent lookups
 * of the same user join that future instead of loading again. An invalidation that arrives while
 * a load is in flight removes the future, so a value read before a change is never left in L1
 * (it is still returned to the lookup that read it). A future completed with no user (unknown id)
 * or with an exception is removed by Caffeine: absence and failures are not cached.
 *
 * <p>Consistency is last-write-wins, like {@link UserStore}. Two instances observing different
 * versions of one user at once may leave L2 or another instance's L1 briefly holding the older
 * one; the next update from that user differs from it and rewrites every tier, and L1 entries
 * never outlive their TTL. While Redis is unreachable L2 misses and invalidations are not
 * delivered (see {@link dev.telescale.runtime.state.DegradingState}), so other instances may serve
 * a stale profile for at most the L1 TTL. L2 failures are logged and treated as misses; L3
 * failures propagate to the caller.
 *
 * <p>Thread-safe.
 */
public final class UserCache implements UserDirectory {
    /** The pub/sub channel carrying the ids of users whose L1 entries must be dropped. */
    public static final String INVALIDATION_CHANNEL = "user-invalidate";
    /** How long L2 keeps a user no instance has written since: bounds Redis memory, not staleness. */
    public static final Duration DEFAULT_SHARED_TTL = Duration.ofDays(1);
    private static final String KEY_PREFIX = "user:";
    private static final Logger log = LoggerFactory.getLogger(UserCache.class);
    private static final ObjectMapper JSON = Json.newMapper();

    /** The tiers, labelled as in the {@code telescale.cache.requests} metric. */
    public enum Tier {
        L1("l1"), L2("l2"), DATABASE("db");

        private final String label;

        Tier(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Told of every tier lookup, on the looking-up thread; must be fast and must not throw. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (tier, hit) -> { };

        void lookedUp(Tier tier, boolean hit);
    }

    /**
     * @param maxSize   L1 entries at most; 0 disables L1
     * @param ttl       how long an L1 entry lives after it was loaded
     * @param sharedTtl how long an L2 entry lives after it was written
     */
    public record Settings(int maxSize, Duration ttl, Duration sharedTtl) {
        public Settings {
            if (maxSize < 0 || ttl.isNegative() || sharedTtl.isNegative() || sharedTtl.isZero()) {
                throw new IllegalArgumentException("invalid user cache settings: " + maxSize + ", " + ttl + ", "
                        + sharedTtl);
            }
        }
    }

    private final UserStore store;
    private final SharedCache shared;
    private final PubSub pubSub;
    private final Duration sharedTtl;
    private final Listener listener;
    private final @Nullable AsyncCache<Long, TelegramUser> local;
    private final Map<Tier, LongAdder> hits = new EnumMap<>(Tier.class);
    private final Map<Tier, LongAdder> misses = new EnumMap<>(Tier.class);
    private final LongAdder databaseWrites = new LongAdder();
    private final AtomicBoolean sharedFailing = new AtomicBoolean();

    /** @param clock drives L1 expiry (tests pass a fake one) */
    public UserCache(UserStore store, SharedCache shared, PubSub pubSub, Settings settings, InstantSource clock,
                     Listener listener) {
        this.store = store;
        this.shared = shared;
        this.pubSub = pubSub;
        this.sharedTtl = settings.sharedTtl();
        this.listener = listener;
        this.local = settings.maxSize() == 0 ? null : Caffeine.newBuilder()
                .maximumSize(settings.maxSize())
                .expireAfterWrite(settings.ttl())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .buildAsync();
        for (Tier tier : Tier.values()) {
            hits.put(tier, new LongAdder());
            misses.put(tier, new LongAdder());
        }
    }

    /** Listens for invalidations published by every instance; close the handle to stop. */
    public AutoCloseable subscribe() {
        return pubSub.subscribe(INVALIDATION_CHANNEL, this::onInvalidation);
    }

    /** The user as last seen, from the highest tier that has them. */
    public Optional<TelegramUser> get(long userId) {
        if (local == null) {
            return Optional.ofNullable(loadBelowLocal(userId));
        }
        CompletableFuture<TelegramUser> loading = new CompletableFuture<>();
        CompletableFuture<TelegramUser> present = local.asMap().putIfAbsent(userId, loading);
        if (present != null) {
            TelegramUser user = join(present);
            count(Tier.L1, user != null);
            return Optional.ofNullable(user);
        }
        count(Tier.L1, false);
        try {
            TelegramUser user = loadBelowLocal(userId);
            loading.complete(user);
            return Optional.ofNullable(user);
        } catch (RuntimeException e) {
            loading.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Records {@code user} as seen now: writes every tier and invalidates every instance's L1 when
     * the user is new or differs from what the cache holds; otherwise only reads.
     */
    public void observe(TelegramUser user) {
        if (get(user.userId()).filter(user::equals).isPresent()) {
            return;
        }
        store.upsertUsers(List.of(user));
        databaseWrites.increment();
        putShared(user);
        dropLocal(user.userId());
        publishInvalidation(user.userId());
    }

    /** Observes the sender of {@code update}, if it has one. */
    @Override
    public void observe(Update update) {
        fromUpdate(update.json()).ifPresent(this::observe);
    }

    @Override
    public Optional<TelegramUser> find(long userId) {
        return get(userId);
    }

    /**
     * The sender as the update shows them: exactly what {@link #observe(Update)} just put in every
     * tier, without a lookup, so a handler holding a database connection never needs a second one
     * for it (and gets the sender even when observing failed).
     */
    @Override
    public Optional<TelegramUser> sender(Update update) {
        return fromUpdate(update.json());
    }

    /** Drops the user from L2 and from L1 on every instance (after the database was changed behind the cache). */
    public void invalidate(long userId) {
        try {
            shared.delete(KEY_PREFIX + userId);
            sharedRecovered();
        } catch (RuntimeException e) {
            sharedFailed("delete", e);
        }
        dropLocal(userId);
        publishInvalidation(userId);
    }

    /** Hits and misses per tier since this cache was created, and database writes made by observing. */
    public CacheStats stats() {
        return new CacheStats(counts(Tier.L1), counts(Tier.L2), counts(Tier.DATABASE), databaseWrites.sum());
    }

    /**
     * The user who sent an update: the {@code from} of its object (message, callback_query,
     * my_chat_member, pre_checkout_query, ...) or its {@code user} (message_reaction,
     * poll_answer, ...). Bots and Telegram's placeholder senders are kept. Empty when the update
     * carries no user, e.g. a channel post or an anonymous reaction.
     */
    public static Optional<TelegramUser> fromUpdate(JsonNode update) {
        for (Map.Entry<String, JsonNode> field : update.properties()) {
            JsonNode body = field.getValue();
            if (body.isObject()) {
                JsonNode from = body.path("from");
                return fromUserObject(from.isObject() ? from : body.path("user"));
            }
        }
        return Optional.empty();
    }

    /** A Telegram User object as a profile; empty without a numeric id. */
    static Optional<TelegramUser> fromUserObject(JsonNode user) {
        JsonNode id = user.path("id");
        if (!id.canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(new TelegramUser(id.asLong(), user.path("first_name").asText(""), text(user, "last_name"),
                text(user, "username"), text(user, "language_code"), user.path("is_premium").asBoolean(false)));
    }

    /** The Telegram User object of a profile: what L2 stores. */
    static String toUserObject(TelegramUser user) {
        ObjectNode json = JSON.createObjectNode();
        json.put("id", user.userId());
        json.put("first_name", user.firstName());
        putIfPresent(json, "last_name", user.lastName());
        putIfPresent(json, "username", user.username());
        putIfPresent(json, "language_code", user.languageCode());
        if (user.premium()) {
            json.put("is_premium", true);
        }
        return json.toString();
    }

    private @Nullable TelegramUser loadBelowLocal(long userId) {
        if (shared != SharedCache.NONE) {
            TelegramUser cached = getShared(userId);
            count(Tier.L2, cached != null);
            if (cached != null) {
                return cached;
            }
        }
        Optional<TelegramUser> stored = store.find(userId);
        count(Tier.DATABASE, stored.isPresent());
        stored.ifPresent(this::putShared);
        return stored.orElse(null);
    }

    private @Nullable TelegramUser getShared(long userId) {
        String value;
        try {
            value = shared.get(KEY_PREFIX + userId).orElse(null);
            sharedRecovered();
        } catch (RuntimeException e) {
            sharedFailed("get", e);
            return null;
        }
        if (value == null) {
            return null;
        }
        try {
            return fromUserObject(JSON.readTree(value)).filter(user -> user.userId() == userId).orElse(null);
        } catch (Exception e) {
            log.warn("ignoring an unreadable L2 entry for user {}", userId);
            return null;
        }
    }

    private void putShared(TelegramUser user) {
        if (shared == SharedCache.NONE) {
            return;
        }
        try {
            shared.put(KEY_PREFIX + user.userId(), toUserObject(user), sharedTtl);
            sharedRecovered();
        } catch (RuntimeException e) {
            sharedFailed("put", e);
        }
    }

    private void publishInvalidation(long userId) {
        try {
            pubSub.publish(INVALIDATION_CHANNEL, Long.toString(userId));
        } catch (RuntimeException e) {
            log.warn("could not publish the invalidation of user {}; other instances keep it up to their TTL: {}",
                    userId, e.toString());
        }
    }

    private void onInvalidation(String message) {
        try {
            dropLocal(Long.parseLong(message));
        } catch (NumberFormatException e) {
            log.warn("ignoring a malformed message on {}: {}", INVALIDATION_CHANNEL, message);
        }
    }

    private void dropLocal(long userId) {
        if (local != null) {
            local.synchronous().invalidate(userId);
        }
    }

    /** Logs the first failure of an outage, not every one. */
    private void sharedFailed(String operation, RuntimeException e) {
        if (sharedFailing.compareAndSet(false, true)) {
            log.warn("user cache L2 {} failed; treating L2 as missing until it answers: {}", operation, e.toString());
        }
    }

    private void sharedRecovered() {
        if (sharedFailing.get() && sharedFailing.compareAndSet(true, false)) {
            log.info("user cache L2 answers again");
        }
    }

    private void count(Tier tier, boolean hit) {
        (hit ? hits : misses).get(tier).increment();
        listener.lookedUp(tier, hit);
    }

    private CacheStats.Counts counts(Tier tier) {
        return new CacheStats.Counts(hits.get(tier).sum(), misses.get(tier).sum());
    }

    private static @Nullable TelegramUser join(CompletableFuture<TelegramUser> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static @Nullable String text(JsonNode object, String field) {
        JsonNode value = object.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private static void putIfPresent(ObjectNode json, String field, @Nullable String value) {
        if (value != null) {
            json.put(field, value);
        }
    }
}

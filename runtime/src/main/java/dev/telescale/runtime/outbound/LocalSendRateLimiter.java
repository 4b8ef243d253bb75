package dev.telescale.runtime.outbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process {@link SendRateLimiter}: token buckets per bot, per private chat and per group
 * (see {@link SendLimits}), a per-bot bucket at {@code broadcastShare} of the bot's rate that
 * broadcasts must also pass, and the pauses Telegram imposed with 429s. Right for one instance;
 * a deployment of several shares its budget through Redis instead.
 *
 * <p>Concurrency: a call locks the chat bucket, then the bot bucket, then (broadcasts only) the
 * broadcast bucket, always in that order, so no deadlock is possible; all buckets are checked
 * before any is taken from, so a refusal consumes nothing. Chat buckets idle for 10 minutes
 * are evicted (they would be full again anyway). Time comes from the injected clock.
 */
public final class LocalSendRateLimiter implements SendRateLimiter {
    private record ChatKey(long botId, long chatId) {
    }

    private final SendLimits limits;
    private final InstantSource clock;
    private final Map<Long, TokenBucket> botBuckets = new ConcurrentHashMap<>();
    private final Map<Long, TokenBucket> broadcastBuckets = new ConcurrentHashMap<>();
    private final Cache<ChatKey, TokenBucket> chatBuckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10)).build();
    private final Map<Long, Long> botPausedUntil = new ConcurrentHashMap<>();
    private final Cache<ChatKey, Long> chatPausedUntil = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofHours(1)).build();

    public LocalSendRateLimiter(SendLimits limits, InstantSource clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public SendLimits limits() {
        return limits;
    }

    @Override
    public long tryAcquire(long botId, long chatId, boolean group) {
        return tryAcquire(botId, chatId, group, OutboundMessage.CONVERSATION);
    }

    @Override
    public long tryAcquire(long botId, long chatId, boolean group, int lane) {
        long now = clock.millis();
        ChatKey key = new ChatKey(botId, chatId);
        long paused = Math.max(botPausedUntil.getOrDefault(botId, 0L),
                chatPausedUntil.asMap().getOrDefault(key, 0L)) - now;
        if (paused > 0) {
            return paused;
        }
        double margin = limits.safetyMargin().toMillis() / 1000.0;
        TokenBucket chat = chatBuckets.get(key, k -> group
                ? new TokenBucket(limits.perGroupPerMinute() / 60.0, limits.perGroupPerMinute(), margin, now)
                : new TokenBucket(limits.perChatPerSecond(), limits.perChatBurst(), margin, now));
        TokenBucket bot = botBuckets.computeIfAbsent(botId,
                id -> new TokenBucket(limits.perBotPerSecond(), limits.perBotBurst(), margin, now));
        TokenBucket broadcast = lane == OutboundMessage.CONVERSATION ? null : broadcastBuckets.computeIfAbsent(botId,
                id -> new TokenBucket(limits.perBotPerSecond() * limits.broadcastShare(),
                        Math.max(1, (int) Math.floor(limits.perBotBurst() * limits.broadcastShare())), margin, now));
        synchronized (chat) {
            synchronized (bot) {
                if (broadcast == null) {
                    long wait = Math.max(chat.millisUntilAvailable(now), bot.millisUntilAvailable(now));
                    if (wait > 0) {
                        return wait;
                    }
                    chat.take();
                    bot.take();
                    return 0;
                }
                synchronized (broadcast) {
                    long wait = Math.max(Math.max(chat.millisUntilAvailable(now), bot.millisUntilAvailable(now)),
                            broadcast.millisUntilAvailable(now));
                    if (wait > 0) {
                        return wait;
                    }
                    chat.take();
                    bot.take();
                    broadcast.take();
                    return 0;
                }
            }
        }
    }

    @Override
    public void pauseChat(long botId, long chatId, Duration duration) {
        long until = clock.millis() + duration.toMillis();
        chatPausedUntil.asMap().merge(new ChatKey(botId, chatId), until, Math::max);
    }

    @Override
    public void pauseBot(long botId, Duration duration) {
        long until = clock.millis() + duration.toMillis();
        botPausedUntil.merge(botId, until, Math::max);
    }

    @Override
    public boolean botNearLimit(long botId) {
        TokenBucket bot = botBuckets.get(botId);
        if (bot == null) {
            return false;
        }
        synchronized (bot) {
            return bot.millisUntilAvailable(clock.millis()) > 0 || bot.tokens < 2;
        }
    }

    /** A token bucket; guarded by its own monitor (held by the caller). */
    private static final class TokenBucket {
        private final double ratePerMilli;
        private final double capacity;
        /** Tokens needed before one is handed out: 1 plus the safety margin's worth, at most the capacity. */
        private final double needed;
        private double tokens;
        private long lastRefillMillis;

        TokenBucket(double ratePerSecond, double capacity, double marginSeconds, long nowMillis) {
            this.ratePerMilli = ratePerSecond / 1000.0;
            this.capacity = Math.max(1, capacity);
            this.needed = Math.min(this.capacity, 1 + ratePerSecond * marginSeconds);
            this.tokens = this.capacity;
            this.lastRefillMillis = nowMillis;
        }

        long millisUntilAvailable(long nowMillis) {
            if (nowMillis > lastRefillMillis) {
                tokens = Math.min(capacity, tokens + (nowMillis - lastRefillMillis) * ratePerMilli);
                lastRefillMillis = nowMillis;
            }
            double missing = needed - tokens;
            return missing <= 0 ? 0 : Math.max(1, (long) Math.ceil(missing / ratePerMilli));
        }

        void take() {
            tokens -= 1;
        }
    }
}

package dev.telescale.emulator.flood;

import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.api.BotApiException;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Telegram-like flood control for message-sending calls: a token bucket per bot, one per
 * private chat and a per-minute one per group or channel. A call that finds a bucket empty
 * gets the real 429 with the whole seconds until a token is back; it consumes nothing.
 *
 * <p>Concurrency: buckets live in concurrent maps and each is guarded by its own monitor; the
 * chat bucket and the bot bucket are checked together under the chat bucket's lock, then the
 * bot's, always in that order, so no deadlock is possible. Limits can be swapped at run time.
 */
public final class FloodControl {
    private final InstantSource clock;
    private volatile FloodLimits limits;
    private final Map<Long, TokenBucket> botBuckets = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> chatBuckets = new ConcurrentHashMap<>();

    public FloodControl(InstantSource clock, FloodLimits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    public FloodLimits limits() {
        return limits;
    }

    public void update(FloodLimits newLimits) {
        limits = newLimits;
        botBuckets.clear();
        chatBuckets.clear();
    }

    /**
     * Takes {@code count} messages' worth of tokens for one bot and chat, or throws 429.
     *
     * @param group true for groups, supergroups and channels (per-minute budget)
     */
    public void acquire(long botId, long chatId, boolean group, int count) {
        FloodLimits current = limits;
        if (!current.enabled()) {
            return;
        }
        long now = clock.millis();
        TokenBucket chat = chatBuckets.computeIfAbsent(botId + ":" + chatId, key -> group
                ? new TokenBucket(current.perGroupPerMinute() / 60.0, current.perGroupPerMinute(), now)
                : new TokenBucket(current.perChatPerSecond(), current.perChatBurst(), now));
        TokenBucket bot = botBuckets.computeIfAbsent(botId,
                key -> new TokenBucket(current.perBotPerSecond(), current.perBotBurst(), now));
        synchronized (chat) {
            synchronized (bot) {
                double chatWait = chat.secondsUntil(count, now);
                double botWait = bot.secondsUntil(count, now);
                double wait = Math.max(chatWait, botWait);
                if (wait > 0) {
                    throw BotApiException.tooManyRequests((int) Math.ceil(wait));
                }
                chat.take(count);
                bot.take(count);
            }
        }
    }

    /** A classic token bucket; not thread-safe by itself (guarded by the caller). */
    static final class TokenBucket {
        private final double ratePerSecond;
        private final double capacity;
        private double tokens;
        private long lastRefillMillis;

        TokenBucket(double ratePerSecond, double capacity, long nowMillis) {
            this.ratePerSecond = ratePerSecond;
            this.capacity = Math.max(1, capacity);
            this.tokens = this.capacity;
            this.lastRefillMillis = nowMillis;
        }

        double secondsUntil(int count, long nowMillis) {
            if (nowMillis > lastRefillMillis) {
                tokens = Math.min(capacity, tokens + (nowMillis - lastRefillMillis) / 1000.0 * ratePerSecond);
                lastRefillMillis = nowMillis;
            }
            double missing = Math.min(count, capacity) - tokens;
            return missing <= 0 ? 0 : missing / ratePerSecond;
        }

        void take(int count) {
            tokens -= Math.min(count, capacity);
        }
    }
}

package dev.telescale.runtime.outbound;

import dev.telescale.runtime.state.RateLimiter;
import dev.telescale.runtime.state.RateLimiter.Bucket;
import java.time.Duration;
import java.util.List;

/**
 * Telegram's flood limits as token buckets of the shared state, so that all instances of a
 * deployment together obey the per-bot and per-chat limits (Redis), or one instance alone does
 * (in-process). Degraded mode is the shared state's business ({@code DegradingState}): while
 * Redis is away it answers from local buckets with the limits divided among the instances.
 * Thread-safe.
 */
public final class SharedSendRateLimiter implements SendRateLimiter {
    private final RateLimiter shared;
    private final SendLimits limits;

    public SharedSendRateLimiter(RateLimiter shared, SendLimits limits) {
        this.shared = shared;
        this.limits = limits;
    }

    @Override
    public long tryAcquire(long botId, long chatId, boolean group) {
        return tryAcquire(botId, chatId, group, OutboundMessage.CONVERSATION);
    }

    @Override
    public long tryAcquire(long botId, long chatId, boolean group, int lane) {
        Bucket bot = new Bucket(botKey(botId), limits.perBotPerSecond(), limits.perBotBurst());
        Bucket chat = group
                ? new Bucket(chatKey(botId, chatId), limits.perGroupPerMinute() / 60.0, limits.perGroupPerMinute())
                : new Bucket(chatKey(botId, chatId), limits.perChatPerSecond(), limits.perChatBurst());
        List<Bucket> buckets = lane == OutboundMessage.BROADCAST
                ? List.of(bot, chat, new Bucket("send:broadcast:" + botId,
                limits.perBotPerSecond() * limits.broadcastShare(),
                Math.max(1, (int) (limits.perBotBurst() * limits.broadcastShare()))))
                : List.of(bot, chat);
        return shared.tryAcquire(buckets);
    }

    @Override
    public void pauseChat(long botId, long chatId, Duration duration) {
        shared.penalize(chatKey(botId, chatId), duration);
    }

    @Override
    public void pauseBot(long botId, Duration duration) {
        shared.penalize(botKey(botId), duration);
    }

    private static String botKey(long botId) {
        return "send:bot:" + botId;
    }

    private static String chatKey(long botId, long chatId) {
        return "send:chat:" + botId + ":" + chatId;
    }
}

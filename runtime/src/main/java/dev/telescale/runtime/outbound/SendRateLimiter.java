package dev.telescale.runtime.outbound;

import java.time.Duration;

/**
 * Telegram's flood limits as the sender obeys them before each call: per bot, per private chat,
 * per group, plus pauses that Telegram imposed with a 429. One instance is shared by every bot
 * of a process ({@link LocalSendRateLimiter}) or by every instance of a deployment (Redis).
 * Implementations are thread-safe.
 */
public interface SendRateLimiter {

    /**
     * Takes one message's worth of budget for the bot and the chat if all of it is there now.
     *
     * @param group true for groups, supergroups and channels (negative chat ids)
     * @return 0 when taken; otherwise the milliseconds to wait before asking again (nothing taken)
     */
    long tryAcquire(long botId, long chatId, boolean group);

    /**
     * As {@link #tryAcquire(long, long, boolean)} for a message of a lane: broadcasts (lane 1) may
     * also be held to a share of the bot's rate so that conversations always find budget. The
     * default ignores the lane.
     */
    default long tryAcquire(long botId, long chatId, boolean group, int lane) {
        return tryAcquire(botId, chatId, group);
    }

    /** Telegram answered 429 for this chat: no message to it before {@code duration} has passed. */
    void pauseChat(long botId, long chatId, Duration duration);

    /** Telegram answered 429 for the whole bot: no message of the bot before {@code duration} has passed. */
    void pauseBot(long botId, Duration duration);

    /**
     * True when the bot's own budget is (nearly) exhausted, i.e. a 429 now is more likely about
     * the bot than about the chat. Used by the sender's "pause the bot or the chat" heuristic;
     * the default knows nothing.
     */
    default boolean botNearLimit(long botId) {
        return false;
    }
}

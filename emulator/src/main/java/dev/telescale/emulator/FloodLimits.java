package dev.telescale.emulator;

/**
 * Flood control of the emulated server: token buckets per bot and per chat, and a per-minute
 * budget for groups. Telegram's defaults are {@link #telegramDefaults()}; {@link #off()} is for
 * benchmarks of the engine itself.
 *
 * @param perBotPerSecond   sustained messages per second for one bot (Telegram: about 30)
 * @param perBotBurst       messages a bot may send at once before the per-second rate applies
 * @param perChatPerSecond  sustained messages per second into one private chat (about 1)
 * @param perChatBurst      short burst tolerated in one chat before 429
 * @param perGroupPerMinute messages per minute into one group or channel (about 20)
 */
public record FloodLimits(boolean enabled, double perBotPerSecond, int perBotBurst, double perChatPerSecond,
                          int perChatBurst, int perGroupPerMinute) {
    public static FloodLimits telegramDefaults() {
        return new FloodLimits(true, 30, 30, 1, 3, 20);
    }

    public static FloodLimits off() {
        return new FloodLimits(false, 30, 30, 1, 3, 20);
    }
}

package dev.telescale.runtime.outbound;

import java.time.Duration;
import java.util.Objects;

/**
 * The sending budget per bot and per chat. {@link #telegramDefaults()} are Telegram's published
 * limits (and the emulator's defaults).
 *
 * @param perBotPerSecond   sustained messages per second of one bot (Telegram: about 30)
 * @param perBotBurst       messages a bot may send at once
 * @param perChatPerSecond  sustained messages per second into one private chat (about 1)
 * @param perChatBurst      burst into one private chat
 * @param perGroupPerMinute messages per minute into one group or channel (about 20); also its burst
 * @param broadcastShare    the share (0-1] of the bot's rate and burst that broadcasts (lane 1) may use
 * @param safetyMargin      extra wait before a token counts as available: absorbs the jitter between
 *                          our clock and the moment Telegram counts the message, so that matching
 *                          limits cause (almost) no 429; it lowers bursts slightly, not sustained rates
 */
public record SendLimits(double perBotPerSecond, int perBotBurst, double perChatPerSecond, int perChatBurst,
                         int perGroupPerMinute, double broadcastShare, Duration safetyMargin) {
    public SendLimits {
        if (!(perBotPerSecond > 0 && perChatPerSecond > 0 && perGroupPerMinute > 0)) {
            throw new IllegalArgumentException("rates must be positive");
        }
        if (perBotBurst < 1 || perChatBurst < 1) {
            throw new IllegalArgumentException("bursts must be at least 1");
        }
        if (!(broadcastShare > 0 && broadcastShare <= 1)) {
            throw new IllegalArgumentException("broadcastShare must be in (0, 1]");
        }
        Objects.requireNonNull(safetyMargin, "safetyMargin");
    }

    public static SendLimits telegramDefaults() {
        return new SendLimits(30, 30, 1, 3, 20, 0.5, Duration.ofMillis(50));
    }

    public SendLimits withBroadcastShare(double share) {
        return new SendLimits(perBotPerSecond, perBotBurst, perChatPerSecond, perChatBurst, perGroupPerMinute, share,
                safetyMargin);
    }
}

package dev.telescale.anonchat;

import java.time.Duration;

/** Durations as people write them in settings and admin commands: 90s, 10m, 24h, 7d. */
final class Durations {
    private Durations() {
    }

    static Duration parse(String text) {
        if (text == null || text.length() < 2) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        }
        if (amount < 0) {
            throw new IllegalArgumentException("'" + text + "' is negative");
        }
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        };
    }

    static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0 && seconds > 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0 && seconds > 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}

package dev.telescale.runtime.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads an application's own settings (e.g. AIRDROP_*) from the environment: each {@link Option}
 * has a variable, a default and a meaning; unset or blank means the default. Every problem is
 * collected, one line each, so a bad setting stops the start with all its reasons at once. Not
 * thread-safe; use it while starting.
 */
public final class AppSettings {
    /** One variable: its default and its meaning (the docs' tables are made from these). */
    public record Option(String variable, String defaultValue, String meaning) {
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    public AppSettings(List<Option> options, Map<String, String> environment) {
        for (Option option : options) {
            String value = environment.get(option.variable());
            values.put(option.variable(), value == null || value.isBlank() ? option.defaultValue() : value.trim());
        }
    }

    /** The problems found so far, one line each. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public String text(String variable) {
        return values.get(variable);
    }

    /** Adds a problem of the application's own checking. */
    public void problem(String variable, String message) {
        problems.add(variable + ": " + message);
    }

    public <T> T parse(String variable, T fallback, Function<String, T> parser) {
        try {
            return parser.apply(values.get(variable));
        } catch (IllegalArgumentException e) {
            problem(variable, e.getMessage());
            return fallback;
        }
    }

    public boolean bool(String variable) {
        return parse(variable, false, value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not true or false");
        });
    }

    public long integer(String variable, long min, long max) {
        return parse(variable, min, value -> {
            long parsed;
            try {
                parsed = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not a whole number");
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException(parsed + " is outside " + min + ".." + max);
            }
            return parsed;
        });
    }

    public Duration duration(String variable, Duration min, Duration max) {
        return parse(variable, min, value -> {
            Duration parsed = parseDuration(value);
            if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
                throw new IllegalArgumentException(value + " is outside " + formatDuration(min) + ".." + formatDuration(max));
            }
            return parsed;
        });
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    public String choice(String variable, List<String> choices) {
        return parse(variable, choices.get(0), value -> {
            String lower = value.toLowerCase(Locale.ROOT);
            if (!choices.contains(lower)) {
                throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", choices));
            }
            return lower;
        });
    }

    /** A duration as people write it: 90s, 10m, 24h, 7d. */
    public static Duration parseDuration(String text) {
        if (text == null || text.length() < 2) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        }
        if (amount < 0 || amount > 36_500L * 86_400) {
            throw new IllegalArgumentException("'" + text + "' is negative or too long");
        }
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(Math.min(amount, 36_500L * 1_440));
            case 'h' -> Duration.ofHours(Math.min(amount, 36_500L * 24));
            case 'd' -> Duration.ofDays(Math.min(amount, 36_500L));
            default -> throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        };
    }

    public static String formatDuration(Duration duration) {
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

    /** The options as a Markdown table (README and docs). */
    public static String markdownTable(List<Option> options) {
        StringBuilder table = new StringBuilder("| Variable | Default | Meaning |\n| --- | --- | --- |\n");
        for (Option option : options) {
            table.append("| `").append(option.variable()).append("` | ")
                    .append(option.defaultValue().isEmpty() ? "empty" : "`" + option.defaultValue() + "`")
                    .append(" | ").append(option.meaning().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}

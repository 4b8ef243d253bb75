package dev.telescale.anonchat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * The anonymous chat's settings, read from ANONCHAT_* environment variables (and ADMIN_IDS).
 * {@link #fromEnvironment} validates every value and reports all problems at once, one line each,
 * so a bad setting stops the start with a clear message instead of surfacing at runtime.
 */
public record AnonChatSettings(
        Set<Long> adminIds,
        OptionalLong moderationChatId,
        boolean moderationShowsUsernames,
        Duration searchTimeout,
        Duration recentPartnerWindow,
        Duration messageMapTtl,
        boolean contactsAllowed,
        boolean linksAllowed,
        boolean mentionsAllowed,
        Duration newUserMediaDelay,
        int messagesPerMinute,
        int minAge,
        int reportsForPenalty,
        int vipWeekStars,
        int vipMonthStars,
        int referralInvites,
        int referralVipDays) {

    /** One configurable value: its variable, default and meaning (the README's table is made from these). */
    public record Option(String variable, String defaultValue, String meaning) {
    }

    public static final List<Option> OPTIONS = List.of(
            new Option("ANONCHAT_MODERATION_CHAT_ID", "", "Chat or channel that receives copies of relayed media and reports, with internal user numbers (empty: off). Every anonchat bot must be a member."),
            new Option("ANONCHAT_MODERATION_SHOWS_USERNAMES", "false", "Whether moderation copies also show @usernames (`true`/`false`)."),
            new Option("ANONCHAT_SEARCH_TIMEOUT", "5m", "How long a search waits for a partner before it ends with a message."),
            new Option("ANONCHAT_RECENT_PARTNER_WINDOW", "1h", "Two users are not matched again within this time (0s: off)."),
            new Option("ANONCHAT_MESSAGE_MAP_TTL", "72h", "How long replies, edits, reactions and /delete find the partner's copy (at least 48h)."),
            new Option("ANONCHAT_CONTACTS_ALLOWED", "true", "Whether contacts (phone numbers) are relayed."),
            new Option("ANONCHAT_LINKS_ALLOWED", "false", "Whether messages with links are relayed."),
            new Option("ANONCHAT_MENTIONS_ALLOWED", "false", "Whether messages with @mentions are relayed."),
            new Option("ANONCHAT_NEW_USER_MEDIA_DELAY", "10m", "New users may send media only this long after finishing onboarding (0s: at once)."),
            new Option("ANONCHAT_MESSAGES_PER_MINUTE", "40", "Spam limit: messages a user may send per minute; more are refused with a notice."),
            new Option("ANONCHAT_MIN_AGE", "16", "Youngest age accepted at onboarding."),
            new Option("ANONCHAT_REPORTS_FOR_PENALTY", "3", "Reports from different partners within 24 h that put a user in a cooldown (1 h, 24 h, 7 days, then a ban)."),
            new Option("ANONCHAT_VIP_WEEK_STARS", "50", "Price of 7 days of VIP in Telegram Stars."),
            new Option("ANONCHAT_VIP_MONTH_STARS", "150", "Price of 30 days of VIP in Telegram Stars."),
            new Option("ANONCHAT_REFERRAL_INVITES", "3", "Invited users (who finished onboarding) that earn the inviter VIP."),
            new Option("ANONCHAT_REFERRAL_VIP_DAYS", "3", "VIP days earned per ANONCHAT_REFERRAL_INVITES invites."));

    /** Defaults, with the given admins (tests and the demo). */
    public static AnonChatSettings defaults(Set<Long> adminIds) {
        Result result = fromEnvironment(Map.of(), adminIds);
        if (!(result instanceof Valid valid)) {
            throw new IllegalStateException("the defaults are invalid: " + result);
        }
        return valid.settings();
    }

    public AnonChatSettings withModerationChat(long chatId) {
        return new AnonChatSettings(adminIds, OptionalLong.of(chatId), moderationShowsUsernames, searchTimeout,
                recentPartnerWindow, messageMapTtl, contactsAllowed, linksAllowed, mentionsAllowed, newUserMediaDelay,
                messagesPerMinute, minAge, reportsForPenalty, vipWeekStars, vipMonthStars, referralInvites, referralVipDays);
    }

    public AnonChatSettings withNewUserMediaDelay(Duration delay) {
        return new AnonChatSettings(adminIds, moderationChatId, moderationShowsUsernames, searchTimeout,
                recentPartnerWindow, messageMapTtl, contactsAllowed, linksAllowed, mentionsAllowed, delay,
                messagesPerMinute, minAge, reportsForPenalty, vipWeekStars, vipMonthStars, referralInvites, referralVipDays);
    }

    public AnonChatSettings withSearchTimeout(Duration timeout) {
        return new AnonChatSettings(adminIds, moderationChatId, moderationShowsUsernames, timeout,
                recentPartnerWindow, messageMapTtl, contactsAllowed, linksAllowed, mentionsAllowed, newUserMediaDelay,
                messagesPerMinute, minAge, reportsForPenalty, vipWeekStars, vipMonthStars, referralInvites, referralVipDays);
    }

    public boolean isAdmin(long userId) {
        return adminIds.contains(userId);
    }

    public sealed interface Result permits Valid, Invalid {
    }

    public record Valid(AnonChatSettings settings) implements Result {
    }

    public record Invalid(List<String> problems) implements Result {
    }

    /** Reads the ANONCHAT_* variables of {@code env}; unset or empty means the default. */
    public static Result fromEnvironment(Map<String, String> env, Set<Long> adminIds) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            String value = env.get(option.variable());
            values.put(option.variable(), value == null || value.isBlank() ? option.defaultValue() : value.trim());
        }
        List<String> problems = new ArrayList<>();
        Reader read = new Reader(values, problems);
        String moderation = values.get("ANONCHAT_MODERATION_CHAT_ID");
        OptionalLong moderationChat = OptionalLong.empty();
        if (!moderation.isEmpty()) {
            try {
                moderationChat = OptionalLong.of(Long.parseLong(moderation));
            } catch (NumberFormatException e) {
                problems.add("ANONCHAT_MODERATION_CHAT_ID: '" + moderation + "' is not a chat id (a whole number such as -1001234567890)");
            }
        }
        AnonChatSettings settings = new AnonChatSettings(Set.copyOf(adminIds), moderationChat,
                read.bool("ANONCHAT_MODERATION_SHOWS_USERNAMES"),
                read.duration("ANONCHAT_SEARCH_TIMEOUT", Duration.ofSeconds(10), Duration.ofDays(1)),
                read.duration("ANONCHAT_RECENT_PARTNER_WINDOW", Duration.ZERO, Duration.ofDays(30)),
                read.duration("ANONCHAT_MESSAGE_MAP_TTL", Duration.ofHours(48), Duration.ofDays(30)),
                read.bool("ANONCHAT_CONTACTS_ALLOWED"),
                read.bool("ANONCHAT_LINKS_ALLOWED"),
                read.bool("ANONCHAT_MENTIONS_ALLOWED"),
                read.duration("ANONCHAT_NEW_USER_MEDIA_DELAY", Duration.ZERO, Duration.ofDays(30)),
                read.integer("ANONCHAT_MESSAGES_PER_MINUTE", 1, 10_000),
                read.integer("ANONCHAT_MIN_AGE", 1, 99),
                read.integer("ANONCHAT_REPORTS_FOR_PENALTY", 1, 1000),
                read.integer("ANONCHAT_VIP_WEEK_STARS", 1, 100_000),
                read.integer("ANONCHAT_VIP_MONTH_STARS", 1, 100_000),
                read.integer("ANONCHAT_REFERRAL_INVITES", 1, 1000),
                read.integer("ANONCHAT_REFERRAL_VIP_DAYS", 1, 365));
        return problems.isEmpty() ? new Valid(settings) : new Invalid(List.copyOf(problems));
    }

    /** The settings as a Markdown table (README and docs/configuration.md). */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| Variable | Default | Meaning |\n| --- | --- | --- |\n");
        for (Option option : OPTIONS) {
            table.append("| `").append(option.variable()).append("` | ")
                    .append(option.defaultValue().isEmpty() ? "empty" : "`" + option.defaultValue() + "`")
                    .append(" | ").append(option.meaning().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    private record Reader(Map<String, String> values, List<String> problems) {
        <T> T parse(String variable, T fallback, Function<String, T> parser) {
            try {
                return parser.apply(values.get(variable));
            } catch (IllegalArgumentException e) {
                problems.add(variable + ": " + e.getMessage());
                return fallback;
            }
        }

        boolean bool(String variable) {
            return parse(variable, false, value -> switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw new IllegalArgumentException("'" + value + "' is not true or false");
            });
        }

        int integer(String variable, int min, int max) {
            return parse(variable, min, value -> {
                int parsed;
                try {
                    parsed = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + value + "' is not a whole number");
                }
                if (parsed < min || parsed > max) {
                    throw new IllegalArgumentException(parsed + " is outside " + min + ".." + max);
                }
                return parsed;
            });
        }

        Duration duration(String variable, Duration min, Duration max) {
            return parse(variable, min, value -> {
                Duration parsed = Durations.parse(value);
                if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
                    throw new IllegalArgumentException(value + " is outside " + Durations.format(min) + ".." + Durations.format(max));
                }
                return parsed;
            });
        }
    }
}

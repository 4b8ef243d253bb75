package dev.telescale.runtime.config;

import dev.telescale.runtime.config.TelescaleConfig.LogFormat;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.event.Level;

/**
 * Every environment variable the runtime reads: its name, default, meaning and parser. This is
 * the one list: {@link ConfigLoader} reads these and nothing else, and the table in
 * docs/configuration.md is generated from it ({@link #markdownTable()}; a test keeps the two equal).
 *
 * <p>An unset or empty variable takes its default. A setting with an empty default takes
 * {@code emptyValue} without calling its parser.
 */
public enum Setting {
    BOT_TOKENS("", "empty: demo mode", true, List.of(), Parsers.botTokens(),
            "The hosted bots, comma-separated. A plain token (`123456:ABC…`) runs the anonymous chat; "
                    + "`app:token` (`echo:123456:ABC…`) runs the application `app`. A token starts with a digit, "
                    + "an application name with a lowercase letter, so the two cannot be confused."),
    HTTP_PORT("8080", Parsers.integer(1, 65535, "a port number"),
            "The HTTP port of webhooks, health, metrics and the admin dashboard."),
    HTTP_HOST("0.0.0.0", Parsers.host(), "The address the HTTP server listens on."),
    TRUSTED_PROXIES("", "empty: `X-Forwarded-For` is never trusted", false, List.of(), Parsers.trustedProxies(),
            "The reverse proxies in front of this service, comma-separated IPv4 or IPv6 addresses or CIDRs "
                    + "(`127.0.0.1,10.0.0.0/8`). A request from one of them may name its client in "
                    + "`X-Forwarded-For`; from any other address the header is ignored."),
    TELEGRAM_API_URL("https://api.telegram.org", Parsers.httpUrl("https://api.telegram.org"),
            "The Bot API server: Telegram, the emulator (`http://127.0.0.1:8081`) or a local Bot API server."),
    DATABASE_URL("sqlite:data/telescale.db", true, null, Parsers.databaseUrl(),
            "`postgresql://user:password@host:5432/database[?options]` for PostgreSQL, `sqlite:<path>` for an "
                    + "embedded SQLite file."),
    DATABASE_POOL_SIZE("10", Parsers.integer(1, 1000, "a whole number"),
            "Database connections per instance."),
    REDIS_URL("", "empty: in-process state", true, Optional.empty(), Parsers.redisUrl(),
            "`redis://[:password@]host:port[/db]` (`rediss://` for TLS) shares state between instances; "
                    + "empty keeps it in this process (one instance only)."),
    REDIS_KEY_PREFIX("telescale:", Parsers.keyPrefix(), "Prefix of every Redis key, to share a Redis server."),
    WEBHOOK_BASE_URL("", "empty: long polling", false, Optional.empty(), Parsers.webhookBaseUrl(),
            "The public https URL of this service; each bot's webhook is this plus `/telegram/<key>`, where "
                    + "the key is derived from the token and does not reveal it. http only for localhost and "
                    + "127.0.0.1."),
    WEBHOOK_SECRET("", "empty", true, Optional.empty(), Parsers.webhookSecret(),
            "Required with `WEBHOOK_BASE_URL`: 16-200 characters of `A-Z a-z 0-9 _ -` that Telegram sends in "
                    + "`X-Telegram-Bot-Api-Secret-Token`."),
    WEBHOOK_MAX_CONNECTIONS("40", Parsers.integer(1, 100, "a whole number"),
            "How many webhook requests Telegram may have open per bot."),
    ADMIN_IDS("", "empty", false, List.of(), Parsers.userIds(),
            "Telegram user ids allowed to use admin commands, comma-separated."),
    ADMIN_CONTROL_CHAT_ID("", "empty: alerts are only logged", false, OptionalLong.empty(), Parsers.chatId(),
            "The chat that receives alerts (polling errors, database or Redis unreachable, instance start "
                    + "and stop)."),
    ADMIN_PASSWORD("", "empty: dashboard off", true, Optional.empty(), Parsers.password(12),
            "Password of the admin dashboard at `/admin` (docs/admin.md), at least 12 characters."),
    INSTANCE_ID("", "`<hostname>-<pid>`", false, null, Parsers.instanceId(),
            "This instance's name in leases, logs, metrics and alerts: 1-64 characters of `A-Z a-z 0-9 . _ -`."),
    LOG_FORMAT("text", Parsers.oneOf(LogFormat.class, "a log format"), "`text` or `json` (one object a line)."),
    LOG_LEVEL("INFO", Parsers.oneOf(Level.class, "a log level"), "`TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR`."),
    USER_CACHE_SIZE("100000", Parsers.integer(0, 100_000_000, "a whole number"),
            "Users kept in the in-process cache (L1); 0 turns it off."),
    USER_CACHE_TTL("10m", Parsers.duration(Duration.ofDays(1)), "How long a user stays in the in-process cache."),
    DEDUP_WINDOW("25h", Parsers.duration(Duration.ofDays(7)),
            "How long an update id is remembered to drop redeliveries. Telegram keeps an update for 24 h, so "
                    + "a shorter window lets late redeliveries through."),
    RATE_LIMIT_PER_BOT("30", Parsers.positiveDecimal(1000, "a rate"), "Messages per second per bot."),
    RATE_LIMIT_PER_CHAT("1", Parsers.positiveDecimal(100, "a rate"), "Messages per second per private chat."),
    RATE_LIMIT_PER_CHAT_BURST("3", Parsers.integer(1, 100, "a whole number"),
            "Messages a private chat may receive at once before its per-second rate applies."),
    RATE_LIMIT_PER_GROUP_PER_MINUTE("20", Parsers.integer(1, 6000, "a whole number"),
            "Messages per minute per group or channel."),
    BROADCAST_SHARE("0.5", Parsers.positiveDecimal(1, "a share"),
            "The largest share of a bot's rate that broadcasts take while conversation messages wait."),
    SHUTDOWN_TIMEOUT("20s", Parsers.duration(Duration.ofHours(1)),
            "On SIGTERM, how long to finish handling and flush outbound queues before exiting."),
    INGRESS_MAX_PENDING("10000", Parsers.integer(1, 10_000_000, "a whole number"),
            "Accepted but unhandled updates above which the webhook answers 429 with Retry-After and "
                    + "long polling pauses."),
    WEBHOOK_MAX_BODY_BYTES("1048576", Parsers.integer(1024, 64 * 1024 * 1024, "a size in bytes"),
            "The largest webhook request body accepted."),
    INSTANCES_HINT("1", Parsers.integer(1, 1000, "a whole number"),
            "How many instances run. When Redis is unreachable the instances cannot share rate limits, so each one "
                    + "uses the limits divided by this number.");

    private final String defaultValue;
    private final String shownDefault;
    private final boolean secret;
    private final Object emptyValue;
    private final ValueParser<?> parser;
    private final String meaning;

    Setting(String defaultValue, ValueParser<?> parser, String meaning) {
        this(defaultValue, "`" + defaultValue + "`", false, null, parser, meaning);
    }

    Setting(String defaultValue, boolean secret, Object emptyValue, ValueParser<?> parser, String meaning) {
        this(defaultValue, "`" + defaultValue + "`", secret, emptyValue, parser, meaning);
    }

    Setting(String defaultValue, String shownDefault, boolean secret, Object emptyValue, ValueParser<?> parser,
            String meaning) {
        this.defaultValue = defaultValue;
        this.shownDefault = shownDefault;
        this.secret = secret;
        this.emptyValue = emptyValue;
        this.parser = parser;
        this.meaning = meaning;
    }

    /** The value used when the variable is unset or empty ("" when that means "none"). */
    public String defaultValue() {
        return defaultValue;
    }

    /** Whether the value may hold a secret: problems never quote it. */
    public boolean secret() {
        return secret;
    }

    public String meaning() {
        return meaning;
    }

    Object emptyValue() {
        return emptyValue;
    }

    Object parse(String raw) throws InvalidValue {
        return parser.parse(raw);
    }

    /** The documentation table: one row per setting, in declaration order. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| Variable | Default | Meaning |\n| --- | --- | --- |\n");
        for (Setting setting : values()) {
            table.append("| `").append(setting.name()).append("` | ").append(escape(setting.shownDefault))
                    .append(" | ").append(escape(setting.meaning)).append(" |\n");
        }
        return table.toString();
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|");
    }
}

package dev.telescale.runtime.config;

import dev.telescale.runtime.bot.BotToken;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.event.Level;

/**
 * Everything the runtime is started with, as {@link ConfigLoader} validated it from the
 * environment (see docs/configuration.md for each variable). Immutable; {@link #toString()} and
 * the toString of every part never show a secret (bot tokens, passwords, the webhook secret).
 *
 * @param bots            the hosted bots; empty means demo mode
 * @param telegramApiUrl  the Bot API base, without a trailing slash
 * @param webhook         empty means long polling
 * @param instanceId      this process's name in leases, logs and alerts
 * @param instancesHint   how many instances share the rate limits when they cannot coordinate (degraded mode)
 * @param shutdownTimeout how long SIGTERM waits for in-flight work and outbound queues
 */
public record TelescaleConfig(List<Bot> bots, Http http, URI telegramApiUrl, Database database, Redis redis,
                              Optional<Webhook> webhook, Admin admin, String instanceId, int instancesHint,
                              Logging logging, UserCache userCache, Ingress ingress, RateLimits rateLimits,
                              Duration shutdownTimeout) {

    public TelescaleConfig {
        bots = List.copyOf(bots);
    }

    /** No bot token configured: the runtime starts its demo. */
    public boolean demoMode() {
        return bots.isEmpty();
    }

    /** Long polling (no WEBHOOK_BASE_URL). */
    public boolean polling() {
        return webhook.isEmpty();
    }

    /** One hosted bot: the application that answers it and its token. */
    public record Bot(String app, BotToken token) {
        /** The application a plain token in BOT_TOKENS runs. */
        public static final String DEFAULT_APP = "anonchat";

        public long botId() {
            return token.botId();
        }
    }

    /**
     * @param trustedProxies IPv4 or IPv6 addresses and CIDRs of the reverse proxies whose
     *                       X-Forwarded-For is believed (for {@code webapp.ClientAddresses}); empty:
     *                       never believed
     */
    public record Http(String host, int port, List<String> trustedProxies) {
        public Http {
            trustedProxies = List.copyOf(trustedProxies);
        }

        /** No trusted proxies. */
        public Http(String host, int port) {
            this(host, port, List.of());
        }
    }

    public record Database(Target target, int poolSize) {
        /** Where the data lives. */
        public sealed interface Target permits Sqlite, Postgres {
            String jdbcUrl();
        }

        /** An embedded SQLite file; its directory is created at start. */
        public record Sqlite(Path file) implements Target {
            @Override
            public String jdbcUrl() {
                return "jdbc:sqlite:" + file;
            }
        }

        /** A PostgreSQL server; {@code jdbcUrl} carries no credentials. */
        public record Postgres(String jdbcUrl, String user, String password) implements Target {
            @Override
            public String toString() {
                return "Postgres[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***") + "]";
            }
        }
    }

    /** Shared state: Redis when an endpoint is set, in-process otherwise. */
    public record Redis(Optional<Endpoint> endpoint, String keyPrefix) {
        public boolean inProcess() {
            return endpoint.isEmpty();
        }

        /**
         * A Redis server. {@code url} is what Lettuce's {@code RedisURI.create} takes and may carry a
         * password; toString redacts it.
         */
        public record Endpoint(URI url) {
            public String host() {
                return url.getHost();
            }

            public int port() {
                return url.getPort() == -1 ? 6379 : url.getPort();
            }

            public int database() {
                String path = url.getPath() == null ? "" : url.getPath().replace("/", "");
                return path.isEmpty() ? 0 : Integer.parseInt(path);
            }

            public boolean tls() {
                return "rediss".equals(url.getScheme());
            }

            @Override
            public String toString() {
                return "Endpoint[" + Redaction.url(url.toString()) + "]";
            }
        }
    }

    /**
     * Webhook ingress: Telegram POSTs to {@code baseUrl + "/telegram/" + token.webhookKey()} with
     * {@code secret} in the X-Telegram-Bot-Api-Secret-Token header.
     */
    public record Webhook(URI baseUrl, String secret, int maxConnections) {
        public URI urlFor(BotToken token) {
            return URI.create(baseUrl + "/telegram/" + token.webhookKey());
        }

        @Override
        public String toString() {
            return "Webhook[baseUrl=" + baseUrl + ", secret=***, maxConnections=" + maxConnections + "]";
        }
    }

    /**
     * @param userIds       Telegram users allowed to run admin commands
     * @param controlChatId where alerts go; empty means alerts are only logged
     * @param password      the admin web's password; empty means the admin web is off
     */
    public record Admin(List<Long> userIds, OptionalLong controlChatId, Optional<String> password) {
        public Admin {
            userIds = List.copyOf(userIds);
        }

        public boolean isAdmin(long userId) {
            return userIds.contains(userId);
        }

        public boolean webEnabled() {
            return password.isPresent();
        }

        @Override
        public String toString() {
            return "Admin[userIds=" + userIds + ", controlChatId=" + controlChatId + ", password="
                    + (password.isPresent() ? "***" : "none") + "]";
        }
    }

    public enum LogFormat { TEXT, JSON }

    public record Logging(LogFormat format, Level level) {
    }

    /** The in-process (L1) user cache; {@code maxSize} 0 turns it off. */
    public record UserCache(int maxSize, Duration ttl) {
    }

    /**
     * @param maxPending   accepted updates not yet handled, above which the webhook answers 429
     * @param maxBodyBytes the largest webhook body accepted
     * @param dedupWindow  how long an update id is remembered to drop Telegram's redeliveries
     */
    public record Ingress(int maxPending, int maxBodyBytes, Duration dedupWindow) {
    }

    /**
     * Outbound rates, per the whole deployment (shared through Redis).
     *
     * @param broadcastShare the largest share of a bot's rate broadcasts may take while conversations wait
     */
    public record RateLimits(double perBotPerSecond, double perChatPerSecond, int perChatBurst,
                             int perGroupPerMinute, double broadcastShare) {
        /** The limits one of {@code instances} uncoordinated instances may use (degraded mode). */
        public RateLimits dividedAmong(int instances) {
            if (instances <= 1) {
                return this;
            }
            return new RateLimits(perBotPerSecond / instances, perChatPerSecond / instances,
                    Math.max(1, perChatBurst / instances), Math.max(1, perGroupPerMinute / instances), broadcastShare);
        }
    }
}

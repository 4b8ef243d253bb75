package dev.telescale.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.runtime.config.TelescaleConfig.Database;
import dev.telescale.runtime.config.TelescaleConfig.LogFormat;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** Environment variables to {@link TelescaleConfig}: defaults, parsing, every problem, secrets. */
class ConfigLoaderTest {
    static final String TOKEN_SECRET = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String TOKEN = "1234567:" + TOKEN_SECRET;
    static final String OTHER_TOKEN = "7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final Path NO_FILE = Path.of("does-not-exist/.env");

    static TelescaleConfig valid(Map<String, String> environment) {
        ConfigResult result = ConfigLoader.load(environment, NO_FILE);
        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        return ((ConfigResult.Valid) result).config();
    }

    static List<String> problems(Map<String, String> environment) {
        ConfigResult result = ConfigLoader.load(environment, NO_FILE);
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        return ((ConfigResult.Invalid) result).problems();
    }

    @Test
    void load_withNothingSet_usesEveryDefault() {
        TelescaleConfig config = valid(Map.of("HOSTNAME", "box-1"));

        assertThat(config.demoMode()).isTrue();
        assertThat(config.polling()).isTrue();
        assertThat(config.http()).isEqualTo(new TelescaleConfig.Http("0.0.0.0", 8080));
        assertThat(config.http().trustedProxies()).isEmpty();
        assertThat(config.telegramApiUrl()).isEqualTo(URI.create("https://api.telegram.org"));
        assertThat(config.database().target()).isEqualTo(new Database.Sqlite(Path.of("data/telescale.db")));
        assertThat(config.database().target().jdbcUrl()).isEqualTo("jdbc:sqlite:data/telescale.db");
        assertThat(config.database().poolSize()).isEqualTo(10);
        assertThat(config.redis().inProcess()).isTrue();
        assertThat(config.redis().keyPrefix()).isEqualTo("telescale:");
        assertThat(config.admin().userIds()).isEmpty();
        assertThat(config.admin().controlChatId()).isEmpty();
        assertThat(config.admin().webEnabled()).isFalse();
        assertThat(config.instanceId()).isEqualTo("box-1-" + ProcessHandle.current().pid());
        assertThat(config.instancesHint()).isEqualTo(1);
        assertThat(config.logging()).isEqualTo(new TelescaleConfig.Logging(LogFormat.TEXT, Level.INFO));
        assertThat(config.userCache()).isEqualTo(new TelescaleConfig.UserCache(100_000, Duration.ofMinutes(10)));
        assertThat(config.ingress()).isEqualTo(new TelescaleConfig.Ingress(10_000, 1_048_576, Duration.ofHours(25)));
        assertThat(config.rateLimits()).isEqualTo(new TelescaleConfig.RateLimits(30, 1, 3, 20, 0.5));
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void load_withEmptyValues_usesDefaults() {
        TelescaleConfig config = valid(Map.of("HTTP_PORT", "", "LOG_LEVEL", "  ", "BOT_TOKENS", ""));

        assertThat(config.http().port()).isEqualTo(8080);
        assertThat(config.logging().level()).isEqualTo(Level.INFO);
        assertThat(config.demoMode()).isTrue();
    }

    @Test
    void load_withEverySettingGiven_buildsTheTree() {
        Map<String, String> env = new HashMap<>();
        env.put("BOT_TOKENS", " " + TOKEN + " , echo:" + OTHER_TOKEN + ",");
        env.put("HTTP_PORT", "9090");
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,fd00::/8");
        env.put("TELEGRAM_API_URL", "http://127.0.0.1:8081/");
        env.put("DATABASE_URL", "postgresql://bots:pa%40ss@db.internal:5433/telescale?sslmode=require");
        env.put("DATABASE_POOL_SIZE", "25");
        env.put("REDIS_URL", "redis://:hunter2@cache:6380/3");
        env.put("REDIS_KEY_PREFIX", "ts1:");
        env.put("WEBHOOK_BASE_URL", "https://bots.example.com/hooks/");
        env.put("WEBHOOK_SECRET", "s3cr3t-s3cr3t_s3cr3t");
        env.put("WEBHOOK_MAX_CONNECTIONS", "100");
        env.put("ADMIN_IDS", "42, 43,42");
        env.put("ADMIN_CONTROL_CHAT_ID", "-1001234567890");
        env.put("ADMIN_PASSWORD", "correct horse battery");
        env.put("INSTANCE_ID", "eu-1.a");
        env.put("LOG_FORMAT", "JSON");
        env.put("LOG_LEVEL", "debug");
        env.put("USER_CACHE_SIZE", "0");
        env.put("USER_CACHE_TTL", "500ms");
        env.put("DEDUP_WINDOW", "2d");
        env.put("RATE_LIMIT_PER_BOT", "25.5");
        env.put("RATE_LIMIT_PER_CHAT", "0.5");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "5");
        env.put("RATE_LIMIT_PER_GROUP_PER_MINUTE", "18");
        env.put("BROADCAST_SHARE", "1");
        env.put("SHUTDOWN_TIMEOUT", "1h");
        env.put("INGRESS_MAX_PENDING", "500");
        env.put("WEBHOOK_MAX_BODY_BYTES", "65536");
        env.put("INSTANCES_HINT", "4");

        TelescaleConfig config = valid(env);

        assertThat(config.bots()).extracting(TelescaleConfig.Bot::app, TelescaleConfig.Bot::botId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("anonchat", 1234567L),
                        org.assertj.core.groups.Tuple.tuple("echo", 7654321L));
        assertThat(config.http()).isEqualTo(new TelescaleConfig.Http("127.0.0.1", 9090,
                List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8")));
        assertThat(config.telegramApiUrl()).isEqualTo(URI.create("http://127.0.0.1:8081"));
        assertThat(config.database()).isEqualTo(new Database(new Database.Postgres(
                "jdbc:postgresql://db.internal:5433/telescale?sslmode=require", "bots", "pa@ss"), 25));
        TelescaleConfig.Redis.Endpoint redis = config.redis().endpoint().orElseThrow();
        assertThat(List.of(redis.host(), redis.port(), redis.database(), redis.tls())).containsExactly("cache", 6380, 3, false);
        assertThat(config.redis().keyPrefix()).isEqualTo("ts1:");
        TelescaleConfig.Webhook webhook = config.webhook().orElseThrow();
        assertThat(webhook.baseUrl()).isEqualTo(URI.create("https://bots.example.com/hooks"));
        assertThat(webhook.urlFor(config.bots().getFirst().token()).toString())
                .isEqualTo("https://bots.example.com/hooks/telegram/" + config.bots().getFirst().token().webhookKey());
        assertThat(webhook.maxConnections()).isEqualTo(100);
        assertThat(config.admin().userIds()).containsExactly(42L, 43L);
        assertThat(config.admin().isAdmin(43)).isTrue();
        assertThat(config.admin().controlChatId()).isEqualTo(OptionalLong.of(-1001234567890L));
        assertThat(config.admin().password()).contains("correct horse battery");
        assertThat(config.instanceId()).isEqualTo("eu-1.a");
        assertThat(config.logging()).isEqualTo(new TelescaleConfig.Logging(LogFormat.JSON, Level.DEBUG));
        assertThat(config.userCache()).isEqualTo(new TelescaleConfig.UserCache(0, Duration.ofMillis(500)));
        assertThat(config.ingress()).isEqualTo(new TelescaleConfig.Ingress(500, 65536, Duration.ofDays(2)));
        assertThat(config.rateLimits()).isEqualTo(new TelescaleConfig.RateLimits(25.5, 0.5, 5, 18, 1.0));
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.instancesHint()).isEqualTo(4);
    }

    @Test
    void load_withBadValues_reportsOneLineEachAllTogether() {
        Map<String, String> env = new HashMap<>();
        env.put("HTTP_PORT", "abc");
        env.put("HTTP_HOST", "my host");
        env.put("TRUSTED_PROXIES", "10.0.0.0/33");
        env.put("TELEGRAM_API_URL", "ftp://api.telegram.org");
        env.put("DATABASE_URL", "mysql://root:topsecret@db/x");
        env.put("DATABASE_POOL_SIZE", "0");
        env.put("REDIS_URL", "redis://:hunter2@cache:6379/zero");
        env.put("REDIS_KEY_PREFIX", "two words");
        env.put("WEBHOOK_MAX_CONNECTIONS", "101");
        env.put("ADMIN_IDS", "42,bob,-5");
        env.put("ADMIN_CONTROL_CHAT_ID", "0");
        env.put("INSTANCE_ID", "eu/1");
        env.put("LOG_FORMAT", "xml");
        env.put("LOG_LEVEL", "verbose");
        env.put("USER_CACHE_SIZE", "-1");
        env.put("USER_CACHE_TTL", "10");
        env.put("DEDUP_WINDOW", "0s");
        env.put("RATE_LIMIT_PER_BOT", "0");
        env.put("RATE_LIMIT_PER_CHAT", "1e3");
        env.put("RATE_LIMIT_PER_CHAT_BURST", "many");
        env.put("RATE_LIMIT_PER_GROUP_PER_MINUTE", "6001");
        env.put("BROADCAST_SHARE", "1.5");
        env.put("SHUTDOWN_TIMEOUT", "2h");
        env.put("INGRESS_MAX_PENDING", "10000000000");
        env.put("WEBHOOK_MAX_BODY_BYTES", "100");
        env.put("INSTANCES_HINT", "1.5");

        List<String> problems = problems(env);

        assertThat(problems).containsExactly(
                "HTTP_PORT: \"abc\" is not a port number (1-65535)",
                "HTTP_HOST: \"my host\" is not a host name or IP address",
                "TRUSTED_PROXIES: \"10.0.0.0/33\" has a prefix length above 32 (an IPv4 prefix is 0-32)",
                "TELEGRAM_API_URL: \"ftp://api.telegram.org\" is not an http or https URL (e.g. https://api.telegram.org)",
                "DATABASE_URL: \"mysql://root:***@db/x\" is not a database URL (postgresql://user:password@host:5432/database or sqlite:<path>)",
                "DATABASE_POOL_SIZE: \"0\" is not a whole number (1-1000)",
                "REDIS_URL: \"redis://:***@cache:6379/zero\" is not a Redis URL (redis://host:port[/db], rediss:// for TLS, redis://:password@host:port with a password)",
                "REDIS_KEY_PREFIX: \"two words\" is not a key prefix (1-64 printable characters without spaces)",
                "WEBHOOK_MAX_CONNECTIONS: \"101\" is not a whole number (1-100)",
                "ADMIN_IDS: \"bob\" is not a user id (a whole number above 0)",
                "ADMIN_IDS: \"-5\" is not a user id (a whole number above 0)",
                "ADMIN_CONTROL_CHAT_ID: \"0\" is not a chat id (a whole number other than 0; groups are negative)",
                "INSTANCE_ID: \"eu/1\" is not an instance id (1-64 characters of A-Z, a-z, 0-9, ., _ and -)",
                "LOG_FORMAT: \"xml\" is not a log format (TEXT, JSON)",
                "LOG_LEVEL: \"verbose\" is not a log level (ERROR, WARN, INFO, DEBUG, TRACE)",
                "USER_CACHE_SIZE: \"-1\" is not a whole number (0-100000000)",
                "USER_CACHE_TTL: \"10\" is not a duration (a whole number followed by ms, s, m, h or d, e.g. 500ms, 30s, 10m, 1h)",
                "DEDUP_WINDOW: \"0s\" is not a duration above 0 and at most 168h",
                "RATE_LIMIT_PER_BOT: \"0\" is not a rate (a number above 0, at most 1000)",
                "RATE_LIMIT_PER_CHAT: \"1e3\" is not a rate (a number above 0, at most 100)",
                "RATE_LIMIT_PER_CHAT_BURST: \"many\" is not a whole number (1-100)",
                "RATE_LIMIT_PER_GROUP_PER_MINUTE: \"6001\" is not a whole number (1-6000)",
                "BROADCAST_SHARE: \"1.5\" is not a share (a number above 0, at most 1)",
                "SHUTDOWN_TIMEOUT: \"2h\" is not a duration above 0 and at most 1h",
                "INGRESS_MAX_PENDING: \"10000000000\" is not a whole number (1-10000000)",
                "WEBHOOK_MAX_BODY_BYTES: \"100\" is not a size in bytes (1024-67108864)",
                "INSTANCES_HINT: \"1.5\" is not a whole number (1-1000)");
        assertThat(problems).allSatisfy(problem -> assertThat(problem).doesNotContain("\n", "topsecret", "hunter2"));
    }

    @Test
    void load_withTrustedProxies_keepsEachEntryOnceInOrder() {
        TelescaleConfig config = valid(Map.of("TRUSTED_PROXIES", " 10.0.0.0/8 ,, ::1,10.0.0.0/8,::ffff:192.0.2.1 "));

        assertThat(config.http().trustedProxies()).containsExactly("10.0.0.0/8", "::1", "::ffff:192.0.2.1");
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().port()).isEqualTo(8080);
    }

    @Test
    void load_withBadTrustedProxies_reportsEachEntryOnItsOwnLine() {
        List<String> problems = problems(Map.of("TRUSTED_PROXIES",
                "127.0.0.1, proxy.internal, 10.0.0.1/8, fd00::/200, ::ffff:0:0/90, 10.0.0.0/8"));

        assertThat(problems).containsExactly(
                "TRUSTED_PROXIES: \"proxy.internal\" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8)",
                "TRUSTED_PROXIES: \"10.0.0.1/8\" has bits set after its /8 prefix (did you mean 10.0.0.0/8?)",
                "TRUSTED_PROXIES: \"fd00::/200\" has a prefix length above 128 (an IPv6 prefix is 0-128)",
                "TRUSTED_PROXIES: \"::ffff:0:0/90\" is an IPv4-mapped network with a prefix below 96 (write it as "
                        + "an IPv4 CIDR)");
    }

    @Test
    void load_withMalformedTokens_showsOnlyBotIds() {
        String shortSecret = "1234567:tooShortSecret";
        String noBotId = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
        String badApp = "Echo!:" + OTHER_TOKEN;

        List<String> problems = problems(Map.of("BOT_TOKENS",
                shortSecret + "," + noBotId + ",echo:987:" + TOKEN_SECRET + "x!," + badApp));

        assertThat(problems).containsExactly(
                "BOT_TOKENS: entry 1 (1234567:…) is not a bot token (<bot id>:<secret of 24+ letters, digits, - or _>)",
                "BOT_TOKENS: entry 2 is neither a token nor <application>:<token> (an application name is 1-32 "
                        + "lowercase letters, digits and -, starting with a letter)",
                "BOT_TOKENS: entry 3 (987:…) is not a bot token (<bot id>:<secret of 24+ letters, digits, - or _>)",
                "BOT_TOKENS: entry 4 is neither a token nor <application>:<token> (an application name is 1-32 "
                        + "lowercase letters, digits and -, starting with a letter)");
        assertThat(String.join("\n", problems)).doesNotContain("tooShortSecret", TOKEN_SECRET, "BBHdq");
    }

    @Test
    void load_withTheSameBotTwice_reportsTheDuplicate() {
        List<String> problems = problems(Map.of("BOT_TOKENS", TOKEN + "," + OTHER_TOKEN + ",echo:" + TOKEN));

        assertThat(problems).containsExactly("BOT_TOKENS: bot 1234567:… is listed twice (entries 1 and 3)");
    }

    @Test
    void load_withAWebhookButNoSecret_requiresTheSecret() {
        List<String> problems = problems(Map.of("WEBHOOK_BASE_URL", "https://bots.example.com"));

        assertThat(problems).containsExactly("WEBHOOK_SECRET: required when WEBHOOK_BASE_URL is set "
                + "(16-200 characters of A-Z, a-z, 0-9, _ and -)");
    }

    @Test
    void load_withABadWebhookSecret_showsItsLengthOnly() {
        assertThat(problems(Map.of("WEBHOOK_SECRET", "short-secret")))
                .containsExactly("WEBHOOK_SECRET: must be 16-200 characters of A-Z, a-z, 0-9, _ and - (it has 12 characters)");
        assertThat(problems(Map.of("WEBHOOK_SECRET", "has spaces in this secret")))
                .containsExactly("WEBHOOK_SECRET: must be 16-200 characters of A-Z, a-z, 0-9, _ and - (it has other characters)");
    }

    @Test
    void load_withAShortAdminPassword_showsItsLengthOnly() {
        assertThat(problems(Map.of("ADMIN_PASSWORD", "hunter2")))
                .containsExactly("ADMIN_PASSWORD: must have at least 12 characters (it has 7)");
    }

    @Test
    void load_withAPlainHttpWebhook_acceptsOnlyLoopback() {
        Map<String, String> secret = Map.of("WEBHOOK_SECRET", "0123456789abcdef");
        assertThat(problems(with(secret, "WEBHOOK_BASE_URL", "http://bots.example.com")))
                .containsExactly("WEBHOOK_BASE_URL: \"http://bots.example.com\" must be https (http is allowed only for "
                        + "localhost and 127.0.0.1)");
        assertThat(problems(with(secret, "WEBHOOK_BASE_URL", "bots.example.com")))
                .containsExactly("WEBHOOK_BASE_URL: \"bots.example.com\" is not an https URL (e.g. https://bots.example.com)");
        assertThat(valid(with(with(secret, "WEBHOOK_BASE_URL", "http://127.0.0.1:8080"),
                "TELEGRAM_API_URL", "http://127.0.0.1:8081")).webhook()).isPresent();
        assertThat(valid(with(with(secret, "WEBHOOK_BASE_URL", "http://localhost:8080"),
                "TELEGRAM_API_URL", "http://127.0.0.1:8081")).webhook()).isPresent();
    }

    @Test
    void load_withAWebhookPortTelegramRefuses_reportsThePort() {
        Map<String, String> env = Map.of("WEBHOOK_SECRET", "0123456789abcdef", "WEBHOOK_BASE_URL", "https://bots.example.com:9443");

        assertThat(problems(env)).containsExactly(
                "WEBHOOK_BASE_URL: port 9443 is not one Telegram delivers webhooks to (443, 80, 88 or 8443)");
        assertThat(valid(with(env, "TELEGRAM_API_URL", "http://emulator:8081")).webhook()).isPresent();
    }

    @Test
    void load_withDatabaseUrls_acceptsPostgresAndSqlite() {
        assertThat(valid(Map.of("DATABASE_URL", "postgres://db/telescale")).database().target())
                .isEqualTo(new Database.Postgres("jdbc:postgresql://db/telescale", "", ""));
        assertThat(valid(Map.of("DATABASE_URL", "sqlite:/var/lib/telescale/t.db")).database().target())
                .isEqualTo(new Database.Sqlite(Path.of("/var/lib/telescale/t.db")));
        assertThat(valid(Map.of("DATABASE_URL", "sqlite:///var/lib/telescale/t.db")).database().target())
                .isEqualTo(new Database.Sqlite(Path.of("/var/lib/telescale/t.db")));
        assertThat(problems(Map.of("DATABASE_URL", "postgresql://u:pw@db"))).containsExactly(
                "DATABASE_URL: \"postgresql://u:***@db\" is not a database URL (postgresql://user:password@host:5432/database or sqlite:<path>)");
        assertThat(problems(Map.of("DATABASE_URL", "sqlite:"))).containsExactly(
                "DATABASE_URL: \"sqlite:\" is not a database URL (sqlite:<path of the database file>)");
    }

    @Test
    void load_withRedisUrls_defaultsPortAndDatabase() {
        TelescaleConfig.Redis.Endpoint endpoint = valid(Map.of("REDIS_URL", "rediss://cache.example.com"))
                .redis().endpoint().orElseThrow();

        assertThat(List.of(endpoint.host(), endpoint.port(), endpoint.database(), endpoint.tls()))
                .containsExactly("cache.example.com", 6379, 0, true);
    }

    @Test
    void load_withTelescalePrefixedVariables_reportsThemAsTypos() {
        List<String> problems = problems(Map.of("TELESCALE_HTTP_PORT", "9090", "TELESCALE_MODE", "x", "PATH", "/bin"));

        assertThat(problems).containsExactly(
                "TELESCALE_HTTP_PORT: unknown variable (Telescale's variables have no TELESCALE_ prefix; see "
                        + "docs/configuration.md; did you mean HTTP_PORT?)",
                "TELESCALE_MODE: unknown variable (Telescale's variables have no TELESCALE_ prefix; see docs/configuration.md)");
    }

    @Test
    void toString_ofAConfigWithSecrets_showsNoSecret() {
        TelescaleConfig config = valid(Map.of(
                "BOT_TOKENS", TOKEN,
                "DATABASE_URL", "postgresql://bots:dbsecret@db/telescale",
                "REDIS_URL", "redis://user:redissecret@cache:6379",
                "WEBHOOK_BASE_URL", "https://bots.example.com",
                "WEBHOOK_SECRET", "webhooksecret-0123456789",
                "ADMIN_PASSWORD", "adminsecret-0123456789"));

        assertThat(config.toString())
                .contains("1234567:…", "bots.example.com", "cache:6379")
                .doesNotContain(TOKEN_SECRET, "dbsecret", "redissecret", "webhooksecret", "adminsecret");
    }

    @Test
    void rateLimits_dividedAmongInstances_sharesEveryLimit() {
        TelescaleConfig.RateLimits limits = new TelescaleConfig.RateLimits(30, 1, 3, 20, 0.5);

        assertThat(limits.dividedAmong(1)).isSameAs(limits);
        assertThat(limits.dividedAmong(4)).isEqualTo(new TelescaleConfig.RateLimits(7.5, 0.25, 1, 5, 0.5));
    }

    @Test
    void load_withAnOptionalAbsent_keepsOptionalsEmpty() {
        TelescaleConfig config = valid(Map.of());

        assertThat(config.webhook()).isEqualTo(Optional.empty());
        assertThat(config.redis().endpoint()).isEqualTo(Optional.empty());
        assertThat(config.admin().password()).isEqualTo(Optional.empty());
    }

    static Map<String, String> with(Map<String, String> base, String name, String value) {
        Map<String, String> copy = new HashMap<>(base);
        copy.put(name, value);
        return copy;
    }
}

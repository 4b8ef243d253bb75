package dev.telescale.runtime.config;

import dev.telescale.runtime.config.TelescaleConfig.Admin;
import dev.telescale.runtime.config.TelescaleConfig.Bot;
import dev.telescale.runtime.config.TelescaleConfig.Database;
import dev.telescale.runtime.config.TelescaleConfig.Http;
import dev.telescale.runtime.config.TelescaleConfig.Ingress;
import dev.telescale.runtime.config.TelescaleConfig.LogFormat;
import dev.telescale.runtime.config.TelescaleConfig.Logging;
import dev.telescale.runtime.config.TelescaleConfig.RateLimits;
import dev.telescale.runtime.config.TelescaleConfig.Redis;
import dev.telescale.runtime.config.TelescaleConfig.UserCache;
import dev.telescale.runtime.config.TelescaleConfig.Webhook;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.event.Level;

/**
 * Builds a {@link TelescaleConfig} from environment variables and an optional {@code .env} file.
 * Never throws for bad input: every problem is collected, one line each, so an operator fixes
 * them all in one go. Problems name the variable and quote its value, except for secrets (tokens
 * show only their bot id, passwords only their length, URLs with the password replaced).
 *
 * <p>Precedence: a variable present in the environment wins over the same name in the file, even
 * when it is empty; an unset or empty variable takes its default. Stateless and thread-safe.
 */
public final class ConfigLoader {
    /** Typos of our own variables: nothing we read starts with this. */
    static final String RESERVED_PREFIX = "TELESCALE_";
    /** Telegram accepts webhooks only on these ports. */
    private static final Set<Integer> TELEGRAM_WEBHOOK_PORTS = Set.of(443, 80, 88, 8443);

    private ConfigLoader() {
    }

    /**
     * The variables as applications see them: the {@code .env} file's, overridden by the
     * environment's (the precedence {@link #load} uses). For application settings such as ANONCHAT_*.
     */
    public static Map<String, String> variables(Map<String, String> environment, Path dotEnvFile) {
        Map<String, String> merged = new java.util.HashMap<>(DotEnv.read(dotEnvFile).values());
        merged.putAll(environment);
        return merged;
    }

    /**
     * @param environment usually {@code System.getenv()}
     * @param dotEnvFile  a {@code .env} file; may be null or missing
     */
    public static ConfigResult load(Map<String, String> environment, Path dotEnvFile) {
        DotEnv.Contents dotEnv = DotEnv.read(dotEnvFile);
        List<String> problems = new ArrayList<>(dotEnv.problems());

        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String raw = environment.containsKey(setting.name()) ? environment.get(setting.name())
                    : dotEnv.values().get(setting.name());
            raw = raw == null ? "" : raw.strip();
            if (raw.isEmpty()) {
                raw = setting.defaultValue();
            }
            if (raw.isEmpty()) {
                values.put(setting, setting == Setting.INSTANCE_ID ? defaultInstanceId(environment) : setting.emptyValue());
                continue;
            }
            try {
                values.put(setting, setting.parse(raw));
            } catch (InvalidValue invalid) {
                String shown = setting.secret() || invalid.quotesItself() ? "" : Parsers.quote(raw) + " ";
                for (String problem : invalid.problems()) {
                    problems.add(setting.name() + ": " + shown + problem);
                }
            }
        }
        Values parsed = new Values(values);
        problems.addAll(crossChecks(parsed));
        problems.addAll(unknownVariables(environment.keySet(), dotEnv.values().keySet()));
        if (!problems.isEmpty()) {
            return new ConfigResult.Invalid(problems);
        }
        return new ConfigResult.Valid(build(parsed));
    }

    private static List<String> crossChecks(Values values) {
        List<String> problems = new ArrayList<>();
        Optional<URI> baseUrl = values.get(Setting.WEBHOOK_BASE_URL);
        Optional<String> secret = values.get(Setting.WEBHOOK_SECRET);
        if (baseUrl != null && baseUrl.isPresent()) {
            if (values.has(Setting.WEBHOOK_SECRET) && secret.isEmpty()) {
                problems.add("WEBHOOK_SECRET: required when WEBHOOK_BASE_URL is set (16-200 characters of A-Z, a-z, "
                        + "0-9, _ and -)");
            }
            URI api = values.get(Setting.TELEGRAM_API_URL);
            URI url = baseUrl.get();
            int port = url.getPort() != -1 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            if (api != null && api.getHost().equalsIgnoreCase("api.telegram.org") && !TELEGRAM_WEBHOOK_PORTS.contains(port)) {
                problems.add("WEBHOOK_BASE_URL: port " + port + " is not one Telegram delivers webhooks to (443, 80, 88 "
                        + "or 8443)");
            }
        }
        return problems;
    }

    private static List<String> unknownVariables(Set<String> environmentNames, Set<String> dotEnvNames) {
        Set<String> names = new TreeSet<>(environmentNames);
        names.addAll(dotEnvNames);
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            if (!name.toUpperCase(Locale.ROOT).startsWith(RESERVED_PREFIX)) {
                continue;
            }
            String rest = name.substring(RESERVED_PREFIX.length());
            String hint = "";
            for (Setting setting : Setting.values()) {
                if (setting.name().equalsIgnoreCase(rest)) {
                    hint = "; did you mean " + setting.name() + "?";
                }
            }
            problems.add(name + ": unknown variable (Telescale's variables have no TELESCALE_ prefix; "
                    + "see docs/configuration.md" + hint + ")");
        }
        return problems;
    }

    private static TelescaleConfig build(Values values) {
        Optional<URI> baseUrl = values.get(Setting.WEBHOOK_BASE_URL);
        Optional<String> secret = values.get(Setting.WEBHOOK_SECRET);
        Optional<Webhook> webhook = baseUrl.map(url -> new Webhook(url, secret.orElseThrow(),
                values.<Integer>get(Setting.WEBHOOK_MAX_CONNECTIONS)));
        Optional<Redis.Endpoint> redis = values.get(Setting.REDIS_URL);
        List<Bot> bots = values.get(Setting.BOT_TOKENS);
        List<Long> adminIds = values.get(Setting.ADMIN_IDS);
        OptionalLong controlChat = values.get(Setting.ADMIN_CONTROL_CHAT_ID);
        Optional<String> password = values.get(Setting.ADMIN_PASSWORD);
        LogFormat logFormat = values.get(Setting.LOG_FORMAT);
        Level logLevel = values.get(Setting.LOG_LEVEL);
        Duration cacheTtl = values.get(Setting.USER_CACHE_TTL);
        Duration dedupWindow = values.get(Setting.DEDUP_WINDOW);
        Duration shutdownTimeout = values.get(Setting.SHUTDOWN_TIMEOUT);
        return new TelescaleConfig(
                bots,
                new Http(values.get(Setting.HTTP_HOST), values.<Integer>get(Setting.HTTP_PORT),
                        values.get(Setting.TRUSTED_PROXIES)),
                values.get(Setting.TELEGRAM_API_URL),
                new Database(values.get(Setting.DATABASE_URL), values.<Integer>get(Setting.DATABASE_POOL_SIZE)),
                new Redis(redis, values.get(Setting.REDIS_KEY_PREFIX)),
                webhook,
                new Admin(adminIds, controlChat, password),
                values.get(Setting.INSTANCE_ID),
                values.<Integer>get(Setting.INSTANCES_HINT),
                new Logging(logFormat, logLevel),
                new UserCache(values.<Integer>get(Setting.USER_CACHE_SIZE), cacheTtl),
                new Ingress(values.<Integer>get(Setting.INGRESS_MAX_PENDING),
                        values.<Integer>get(Setting.WEBHOOK_MAX_BODY_BYTES), dedupWindow),
                new RateLimits(values.<Double>get(Setting.RATE_LIMIT_PER_BOT),
                        values.<Double>get(Setting.RATE_LIMIT_PER_CHAT),
                        values.<Integer>get(Setting.RATE_LIMIT_PER_CHAT_BURST),
                        values.<Integer>get(Setting.RATE_LIMIT_PER_GROUP_PER_MINUTE),
                        values.<Double>get(Setting.BROADCAST_SHARE)),
                shutdownTimeout);
    }

    /** The host name (HOSTNAME, else the resolver's) reduced to instance-id characters, then the pid. */
    static String defaultInstanceId(Map<String, String> environment) {
        String host = environment.getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "telescale";
            }
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "");
        if (cleaned.length() > 40) {
            cleaned = cleaned.substring(0, 40);
        }
        return (cleaned.isEmpty() ? "telescale" : cleaned) + "-" + ProcessHandle.current().pid();
    }

    /** The parsed values; a setting whose value was invalid is absent. */
    private record Values(Map<Setting, Object> values) {
        boolean has(Setting setting) {
            return values.containsKey(setting);
        }

        @SuppressWarnings("unchecked")
        <T> T get(Setting setting) {
            return (T) values.get(setting);
        }
    }
}

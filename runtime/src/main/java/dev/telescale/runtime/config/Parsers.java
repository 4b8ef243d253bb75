package dev.telescale.runtime.config;

import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.config.TelescaleConfig.Bot;
import dev.telescale.runtime.config.TelescaleConfig.Database;
import dev.telescale.runtime.config.TelescaleConfig.Redis;
import dev.telescale.runtime.webapp.ClientAddresses;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value parsers of {@link Setting}. Stateless. */
final class Parsers {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]%]{1,253}");
    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern SECRET_CHARS = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]*");
    static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final String DURATION_FORMAT = "a whole number followed by ms, s, m, h or d, e.g. 500ms, 30s, 10m, 1h";
    static final String TOKEN_FORMAT = "<bot id>:<secret of 24+ letters, digits, - or _>";

    private Parsers() {
    }

    static ValueParser<Integer> integer(int min, int max, String what) {
        return raw -> {
            try {
                int value = Integer.parseInt(raw);
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new InvalidValue("is not " + what + " (" + min + "-" + max + ")");
        };
    }

    /** A decimal above 0 and at most {@code max}. */
    static ValueParser<Double> positiveDecimal(double max, String what) {
        return raw -> {
            if (DECIMAL.matcher(raw).matches()) {
                double value = Double.parseDouble(raw);
                if (value > 0 && value <= max) {
                    return value;
                }
            }
            throw new InvalidValue("is not " + what + " (a number above 0, at most " + plain(max) + ")");
        };
    }

    static ValueParser<Duration> duration(Duration max) {
        return raw -> {
            Matcher matcher = DURATION.matcher(raw);
            if (!matcher.matches()) {
                throw new InvalidValue("is not a duration (" + DURATION_FORMAT + ")");
            }
            long amount = Long.parseLong(matcher.group(1));
            Duration value = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (value.isZero() || value.compareTo(max) > 0) {
                throw new InvalidValue("is not a duration above 0 and at most " + max.toHours() + "h");
            }
            return value;
        };
    }

    static <E extends Enum<E>> ValueParser<E> oneOf(Class<E> type, String what) {
        E[] constants = type.getEnumConstants();
        return raw -> {
            for (E constant : constants) {
                if (constant.name().equalsIgnoreCase(raw)) {
                    return constant;
                }
            }
            List<String> names = new ArrayList<>();
            for (E constant : constants) {
                names.add(constant.name());
            }
            throw new InvalidValue("is not " + what + " (" + String.join(", ", names) + ")");
        };
    }

    static ValueParser<String> host() {
        return raw -> {
            if (!HOST.matcher(raw).matches()) {
                throw new InvalidValue("is not a host name or IP address");
            }
            return raw;
        };
    }

    static ValueParser<String> instanceId() {
        return raw -> {
            if (!INSTANCE_ID.matcher(raw).matches()) {
                throw new InvalidValue("is not an instance id (1-64 characters of A-Z, a-z, 0-9, ., _ and -)");
            }
            return raw;
        };
    }

    static ValueParser<String> keyPrefix() {
        return raw -> {
            if (raw.length() > 64 || !PRINTABLE.matcher(raw).matches()) {
                throw new InvalidValue("is not a key prefix (1-64 printable characters without spaces)");
            }
            return raw;
        };
    }

    /** An absolute http or https URL without query or fragment; a trailing slash is dropped. */
    static ValueParser<URI> httpUrl(String example) {
        return raw -> {
            URI uri = httpUri(raw);
            if (uri == null) {
                throw new InvalidValue("is not an http or https URL (e.g. " + example + ")");
            }
            return uri;
        };
    }

    static ValueParser<Optional<URI>> webhookBaseUrl() {
        return raw -> {
            URI uri = httpUri(raw);
            if (uri == null) {
                throw new InvalidValue("is not an https URL (e.g. https://bots.example.com)");
            }
            if (uri.getScheme().equals("http") && !isLoopbackName(uri.getHost())) {
                throw new InvalidValue("must be https (http is allowed only for localhost and 127.0.0.1)");
            }
            return Optional.of(uri);
        };
    }

    private static URI httpUri(String raw) {
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                return null;
            }
            String text = uri.toString();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static boolean isLoopbackName(String host) {
        return host.equalsIgnoreCase("localhost") || host.equals("127.0.0.1");
    }

    /** Secret: shows only its length. */
    static ValueParser<Optional<String>> webhookSecret() {
        return raw -> {
            if (raw.length() < 16 || raw.length() > 200 || !SECRET_CHARS.matcher(raw).matches()) {
                String got = SECRET_CHARS.matcher(raw).matches() ? "it has " + raw.length() + " characters"
                        : "it has other characters";
                throw new InvalidValue("must be 16-200 characters of A-Z, a-z, 0-9, _ and - (" + got + ")");
            }
            return Optional.of(raw);
        };
    }

    /** Secret: shows only its length. */
    static ValueParser<Optional<String>> password(int minLength) {
        return raw -> {
            if (raw.length() < minLength) {
                throw new InvalidValue("must have at least " + minLength + " characters (it has " + raw.length() + ")");
            }
            return Optional.of(raw);
        };
    }

    static ValueParser<List<Long>> userIds() {
        return raw -> {
            LinkedHashSet<Long> ids = new LinkedHashSet<>();
            List<String> problems = new ArrayList<>();
            for (String entry : raw.split(",")) {
                String id = entry.trim();
                if (id.isEmpty()) {
                    continue;
                }
                try {
                    long value = Long.parseLong(id);
                    if (value > 0) {
                        ids.add(value);
                        continue;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                problems.add(quote(id) + " is not a user id (a whole number above 0)");
            }
            if (!problems.isEmpty()) {
                throw new InvalidValue(problems, true);
            }
            return List.copyOf(ids);
        };
    }

    /** TRUSTED_PROXIES: IPv4 or IPv6 addresses or CIDRs, comma-separated; one problem per bad entry. */
    static ValueParser<List<String>> trustedProxies() {
        return raw -> {
            LinkedHashSet<String> proxies = new LinkedHashSet<>();
            List<String> problems = new ArrayList<>();
            for (String entry : raw.split(",")) {
                String proxy = entry.trim();
                if (proxy.isEmpty()) {
                    continue;
                }
                ClientAddresses.problemWith(proxy).ifPresentOrElse(problems::add, () -> proxies.add(proxy));
            }
            if (!problems.isEmpty()) {
                throw new InvalidValue(problems, true);
            }
            return List.copyOf(proxies);
        };
    }

    static ValueParser<OptionalLong> chatId() {
        return raw -> {
            try {
                long value = Long.parseLong(raw);
                if (value != 0) {
                    return OptionalLong.of(value);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new InvalidValue("is not a chat id (a whole number other than 0; groups are negative)");
        };
    }

    /**
     * BOT_TOKENS, secret: a comma-separated list of entries, each a token (it starts with a digit)
     * or {@code app:token} (it starts with a lowercase letter). Problems show a token only as
     * {@code "<bot id>:…"}.
     */
    static ValueParser<List<Bot>> botTokens() {
        return raw -> {
            List<Bot> bots = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            Map<Long, Integer> entryOfBot = new HashMap<>();
            int entryNumber = 0;
            for (String part : raw.split(",")) {
                String entry = part.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                entryNumber++;
                String app = Bot.DEFAULT_APP;
                String token = entry;
                if (!Character.isDigit(entry.charAt(0))) {
                    int colon = entry.indexOf(':');
                    String name = colon < 0 ? "" : entry.substring(0, colon);
                    if (!APP_NAME.matcher(name).matches()) {
                        problems.add("entry " + entryNumber + " is neither a token nor <application>:<token> (an "
                                + "application name is 1-32 lowercase letters, digits and -, starting with a letter)");
                        continue;
                    }
                    app = name;
                    token = entry.substring(colon + 1);
                }
                if (!BotToken.isWellFormed(token)) {
                    problems.add("entry " + entryNumber + " (" + Redaction.token(token) + ") is not a bot token ("
                            + TOKEN_FORMAT + ")");
                    continue;
                }
                BotToken botToken = new BotToken(token);
                Integer earlier = entryOfBot.putIfAbsent(botToken.botId(), entryNumber);
                if (earlier != null) {
                    problems.add("bot " + botToken.redacted() + " is listed twice (entries " + earlier + " and "
                            + entryNumber + ")");
                    continue;
                }
                bots.add(new Bot(app, botToken));
            }
            if (!problems.isEmpty()) {
                throw new InvalidValue(problems, true);
            }
            return List.copyOf(bots);
        };
    }

    /** DATABASE_URL; may hold a password, so problems show it redacted. */
    static ValueParser<Database.Target> databaseUrl() {
        String expected = " is not a database URL (postgresql://user:password@host:5432/database or sqlite:<path>)";
        return raw -> {
            String lower = raw.toLowerCase(Locale.ROOT);
            if (lower.startsWith("sqlite:")) {
                String path = raw.substring("sqlite:".length());
                if (path.startsWith("//")) {
                    path = path.substring(2);
                }
                try {
                    if (!path.isEmpty()) {
                        return new Database.Sqlite(Path.of(path));
                    }
                } catch (InvalidPathException e) {
                    // reported below
                }
                throw new InvalidValue(quote(raw) + " is not a database URL (sqlite:<path of the database file>)");
            }
            if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
                try {
                    URI uri = new URI(raw);
                    String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
                    if (uri.getHost() != null && !database.isEmpty() && !database.contains("/")) {
                        String user = "";
                        String password = "";
                        if (uri.getUserInfo() != null) {
                            String[] userInfo = uri.getUserInfo().split(":", 2);
                            user = userInfo[0];
                            password = userInfo.length > 1 ? userInfo[1] : "";
                        }
                        String jdbcUrl = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                                + "/" + database + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                        return new Database.Postgres(jdbcUrl, user, password);
                    }
                } catch (URISyntaxException e) {
                    // reported below
                }
            }
            throw new InvalidValue(quote(Redaction.url(raw)) + expected);
        };
    }

    /** REDIS_URL; may hold a password, so problems show it redacted. */
    static ValueParser<Optional<Redis.Endpoint>> redisUrl() {
        return raw -> {
            try {
                URI uri = new URI(raw);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                String path = uri.getPath() == null ? "" : uri.getPath();
                if ((scheme.equals("redis") || scheme.equals("rediss")) && uri.getHost() != null
                        && path.matches("(/([0-9]{1,5})?)?") && uri.getRawQuery() == null) {
                    return Optional.of(new Redis.Endpoint(uri));
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new InvalidValue(quote(Redaction.url(raw)) + " is not a Redis URL (redis://host:port[/db], "
                    + "rediss:// for TLS, redis://:password@host:port with a password)");
        };
    }

    static String quote(String value) {
        String shown = value.length() > 80 ? value.substring(0, 77) + "..." : value;
        return '"' + shown.replace("\"", "\\\"") + '"';
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

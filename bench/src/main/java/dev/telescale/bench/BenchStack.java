package dev.telescale.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.telescale.airdrop.AirdropApplication;
import dev.telescale.airdrop.AirdropSettings;
import dev.telescale.anonchat.AnonChatApplication;
import dev.telescale.anonchat.AnonChatSettings;
import dev.telescale.echo.EchoApplication;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import dev.telescale.runtime.storage.Database;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The system under test: an emulator in this process and a Telescale runtime hosting either the
 * echo bot on one token or the anonymous chat on two tokens, wired as the options say, in this
 * process or ({@code --bot-process separate}) in a {@link BotProcess} child JVM configured by the
 * same variables; or, for the ceiling's baseline, the {@link RawEchoBot} instead of Telescale.
 * Closing stops the bot, then the emulator, then drops the PostgreSQL schema the run created. Not
 * thread-safe; one run owns it.
 */
final class BenchStack implements AutoCloseable {
    static final String TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final long BOT_ID = 123456L;
    /** The anonymous chat's two bots ({@link App#ANONCHAT}). */
    static final String CHAT_TOKEN_A = "710001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String CHAT_TOKEN_B = "710002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final long CHAT_BOT_A = 710001L;
    static final long CHAT_BOT_B = 710002L;

    /** What runs as the bot: Telescale hosting an application, or the raw echo baseline without Telescale. */
    enum App { ECHO, ANONCHAT, AIRDROP, RAW_ECHO }
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Work done after the emulator started and before the bot starts, such as preloading its database. */
    @FunctionalInterface
    interface BeforeBot {
        BeforeBot NOTHING = (emulator, config, env) -> { };

        /** @param config the bot's configuration, as read from {@code env}, its environment */
        void prepare(Emulator emulator, TelescaleConfig config, Map<String, String> env);
    }

    /** Where the runtime runs; closing stops it. */
    private sealed interface BotSide extends AutoCloseable permits InProcess, InChild, Raw {
        @Override
        void close();
    }

    private record InProcess(TelescaleRuntime runtime) implements BotSide {
        @Override
        public void close() {
            runtime.close();
        }
    }

    private record Raw(RawEchoBot bot) implements BotSide {
        @Override
        public void close() {
            bot.close();
        }
    }

    private record InChild(SeparateBot process) implements BotSide {
        @Override
        public void close() {
            process.close();
        }
    }

    private final Emulator emulator;
    private final BotSide bot;
    private final String schema;
    private final PostgresTarget postgres;
    private final LatencyRecorder recorder;
    private final Map<Long, Long> partnerOf;
    private TelescaleConfig config;
    private Map<String, String> env = Map.of();
    private WebhookTimer webhookTimer;

    private BenchStack(Emulator emulator, LatencyRecorder recorder, Map<Long, Long> partnerOf, BotSide bot,
                       String schema, PostgresTarget postgres) {
        this.emulator = emulator;
        this.partnerOf = partnerOf;
        this.recorder = recorder;
        this.bot = bot;
        this.schema = schema;
        this.postgres = postgres;
    }

    /**
     * Starts both sides and waits until the runtime reports ready.
     *
     * @param messagesPerChat how many messages the emulator must keep per chat (the echo copies them,
     *                        and the correctness check reads every echo back from the inbox)
     */
    static BenchStack start(CommonOptions options, Path runDir, int messagesPerChat) {
        return start(options, runDir, messagesPerChat, App.ECHO);
    }

    /**
     * Starts both sides with the given application. With {@link App#ANONCHAT} the recorder measures
     * relays: nothing until {@link #partnerOf()} names the pairs (so onboarding and matching are not
     * measured), then from a sender's update to the partner's bot sending the copy to the partner.
     */
    static BenchStack start(CommonOptions options, Path runDir, int messagesPerChat, App app) {
        return start(options, runDir, messagesPerChat, app, BeforeBot.NOTHING);
    }

    /** As {@link #start(CommonOptions, Path, int, App)}, running {@code beforeBot} before the runtime starts. */
    static BenchStack start(CommonOptions options, Path runDir, int messagesPerChat, App app, BeforeBot beforeBot) {
        return start(options, runDir, messagesPerChat, app, beforeBot, false);
    }

    /**
     * As above; with {@code timeWebhook} (webhook ingress only) the emulator posts updates through a
     * {@link WebhookTimer} in front of the bot's webhook, which records how long each POST took to be answered.
     */
    static BenchStack start(CommonOptions options, Path runDir, int messagesPerChat, App app, BeforeBot beforeBot,
                            boolean timeWebhook) {

        setLogLevel(options.logLevel.name());
        int kept = Math.max(1_000, messagesPerChat);
        Emulator emulator = Emulator.start(EmulatorConfig.defaults()
                .withFlood(options.flood ? FloodLimits.telegramDefaults() : FloodLimits.off())
                .withTraceCapacity(0)
                .withStorage(kept, kept));
        String schema = null;
        PostgresTarget postgres = null;
        WebhookTimer timer = null;
        try {
            Map<Long, Long> partnerOf = null;
            LatencyRecorder recorder;
            if (app == App.RAW_ECHO) {
                emulator.sim().registerBot(TOKEN);
                recorder = new LatencyRecorder(BOT_ID, emulator.state().trace());
                emulator.state().trace().subscribe(recorder);
                RawEchoBot raw = options.ingress == CommonOptions.Ingress.webhook
                        ? RawEchoBot.webhook(emulator.baseUrl(), TOKEN, freePort(), randomString(32))
                        : RawEchoBot.polling(emulator.baseUrl(), TOKEN);
                return new BenchStack(emulator, recorder, null, new Raw(raw), null, null);
            }
            if (app == App.ECHO || app == App.AIRDROP) {
                emulator.sim().registerBot(TOKEN);
                recorder = new LatencyRecorder(BOT_ID, emulator.state().trace());
            } else {
                emulator.sim().registerBot(CHAT_TOKEN_A);
                emulator.sim().registerBot(CHAT_TOKEN_B);
                partnerOf = new ConcurrentHashMap<>();
                recorder = new LatencyRecorder(Set.of(CHAT_BOT_A, CHAT_BOT_B), emulator.state().trace(), partnerOf);
            }
            emulator.state().trace().subscribe(recorder);
            String suffix = randomString(12).toLowerCase(java.util.Locale.ROOT);
            Map<String, String> env = new HashMap<>();
            env.put("BOT_TOKENS", switch (app) {
                case ECHO -> EchoApplication.NAME + ":" + TOKEN;
                case AIRDROP -> AirdropApplication.NAME + ":" + TOKEN;
                default -> AnonChatApplication.NAME + ":" + CHAT_TOKEN_A + "," + AnonChatApplication.NAME + ":" + CHAT_TOKEN_B;
            });
            if (app == App.AIRDROP) {
                // Every simulated user's Mini App requests come from this machine: the harness names a
                // distinct client address per user in X-Forwarded-For (as a proxy in front would), and
                // the per-address rate limit is out of the way.
                env.put("TRUSTED_PROXIES", "127.0.0.1");
                env.put("AIRDROP_WEBAPP_RATE_LIMIT", "1000000/1m");
            }
            if (app == App.ANONCHAT) {
                // New users may send at once, and the spam limit (at most 10,000 a minute) stays out of the way.
                env.put("ANONCHAT_NEW_USER_MEDIA_DELAY", "0s");
                env.put("ANONCHAT_MESSAGES_PER_MINUTE", "10000");
            }
            env.put("TELEGRAM_API_URL", emulator.baseUrl());
            int port = freePort();
            env.put("HTTP_PORT", Integer.toString(port));
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("SHUTDOWN_TIMEOUT", "5s");
            env.put("LOG_LEVEL", options.logLevel.name());
            if (options.database == null) {
                env.put("DATABASE_URL", "sqlite:" + runDir.toAbsolutePath().resolve("bench.db"));
            } else if (options.database.startsWith("sqlite:")) {
                env.put("DATABASE_URL", options.database);
            } else {
                postgres = PostgresTarget.parse(options.database);
                schema = "bench_" + suffix;
                postgres.createSchema(schema);
                env.put("DATABASE_URL", options.database + (options.database.contains("?") ? "&" : "?")
                        + "currentSchema=" + schema);
            }
            if (options.redis != null) {
                env.put("REDIS_URL", options.redis);
                env.put("REDIS_KEY_PREFIX", "bench:" + suffix + ":");
            }
            if (options.ingress == CommonOptions.Ingress.webhook && timeWebhook) {
                timer = WebhookTimer.start(port);
                env.put("WEBHOOK_BASE_URL", "http://127.0.0.1:" + timer.port());
                env.put("WEBHOOK_SECRET", randomString(32));
            } else if (options.ingress == CommonOptions.Ingress.webhook) {
                env.put("WEBHOOK_BASE_URL", "http://127.0.0.1:" + port);
                env.put("WEBHOOK_SECRET", randomString(32));
            }
            if (!options.flood) {
                env.put("RATE_LIMIT_PER_CHAT", "100");
                env.put("RATE_LIMIT_PER_CHAT_BURST", "100");
                env.put("RATE_LIMIT_PER_BOT", "1000");
            }
            TelescaleConfig config = switch (ConfigLoader.load(env, Path.of("/nonexistent"))) {
                case ConfigResult.Valid valid -> valid.config();
                case ConfigResult.Invalid invalid -> throw new IllegalArgumentException(
                        "the bench configuration is invalid: " + String.join("; ", invalid.problems()));
            };
            beforeBot.prepare(emulator, config, env);
            BotSide bot;
            if (options.botProcess == CommonOptions.BotPlacement.separate) {
                env.put(BotProcess.APP_VARIABLE, app.name());
                SeparateBot process = SeparateBot.start(env, options.botJvmOptions, runDir.resolve("bot-process.log"));
                bot = new InChild(process);
                try {
                    awaitReady(port, SeparateBot.READY_WITHIN, process::isAlive);
                } catch (RuntimeException notReady) {
                    process.close();
                    throw new IllegalStateException(notReady.getMessage() + " (its output: " + process.log() + ")", notReady);
                }
            } else {
                TelescaleRuntime runtime = TelescaleRuntime.start(config, applications(app, env), InstantSource.system());
                bot = new InProcess(runtime);
                try {
                    awaitReady(port, Duration.ofSeconds(30), () -> true);
                } catch (RuntimeException notReady) {
                    runtime.close();
                    throw notReady;
                }
            }
            BenchStack stack = new BenchStack(emulator, recorder, partnerOf, bot, schema, postgres);
            stack.config = config;
            stack.env = Map.copyOf(env);
            stack.webhookTimer = timer;
            return stack;
        } catch (RuntimeException e) {
            if (timer != null) {
                timer.close();
            }
            emulator.close();
            if (postgres != null && schema != null) {
                postgres.dropSchema(schema);
            }
            throw e;
        }
    }

    /**
     * Opens the bot's database as {@code config} names it, applies the runtime's and the
     * application's migrations, and hands it to {@code fill} (for preloads, before the bot starts).
     */
    static void migrated(TelescaleConfig config, App app, Map<String, String> env, Consumer<Database> fill) {
        List<String> migrations = applications(app, env).values().stream()
                .map(BotApplication::migrationLocations).flatMap(List::stream).toList();
        try (Database database = Database.open(TelescaleRuntime.databaseUrl(config.database()), 2)) {
            database.migrate(migrations);
            fill.accept(database);
        }
    }

    Emulator emulator() {
        return emulator;
    }

    /** The bot's database, opened anew (the caller closes it): for reading what the bot wrote. */
    Database openDatabase() {
        return Database.open(TelescaleRuntime.databaseUrl(config.database()), 4);
    }

    /** The bot's HTTP port: its webhook, /metrics and its applications' web routes. */
    int httpPort() {
        return Integer.parseInt(env.get("HTTP_PORT"));
    }

    /** The timer in front of the bot's webhook, when the stack was started with one. */
    java.util.Optional<WebhookTimer> webhookTimer() {
        return java.util.Optional.ofNullable(webhookTimer);
    }

    LatencyRecorder recorder() {
        return recorder;
    }

    /**
     * For {@link App#ANONCHAT}: each sender's partner, filled by the scenario once the pairs are
     * matched; the recorder measures only the chats named here. Null for the echo bot.
     */
    Map<Long, Long> partnerOf() {
        return partnerOf;
    }

    /** The separate bot process, when the runtime runs in one. */
    java.util.Optional<SeparateBot> separateBot() {
        return bot instanceof InChild(SeparateBot process) ? java.util.Optional.of(process) : java.util.Optional.empty();
    }

    /** The application the runtime hosts, by its name, configured from the bot's environment. */
    static Map<String, BotApplication> applications(App app, Map<String, String> env) {
        return switch (app) {
            case ECHO -> Map.of(EchoApplication.NAME, new EchoApplication());
            case ANONCHAT -> Map.of(AnonChatApplication.NAME, new AnonChatApplication(anonChatSettings(env)));
            case AIRDROP -> Map.of(AirdropApplication.NAME, new AirdropApplication(airdropSettings(env)));
            case RAW_ECHO -> throw new IllegalArgumentException("the raw echo bot is not a Telescale application");
        };
    }

    private static AirdropSettings airdropSettings(Map<String, String> env) {
        return switch (AirdropSettings.fromEnvironment(env, Set.of(), Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080")))) {
            case AirdropSettings.Valid valid -> valid.settings();
            case AirdropSettings.Invalid invalid -> throw new IllegalArgumentException(
                    "the bench's airdrop settings are invalid: " + String.join("; ", invalid.problems()));
        };
    }

    private static AnonChatSettings anonChatSettings(Map<String, String> env) {
        return switch (AnonChatSettings.fromEnvironment(env, Set.of())) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> throw new IllegalArgumentException(
                    "the bench's anonymous chat settings are invalid: " + String.join("; ", invalid.problems()));
        };
    }

    /** Waits until {@code done} holds, or nothing new was answered for {@code idle}, or {@code limit} passed. */
    void awaitAnswers(java.util.function.BooleanSupplier done, Duration idle, Duration limit) {
        awaitQuiet(done, recorder::answered, idle, limit);
    }

    /** Waits until {@code done} holds, or {@code progress} did not change for {@code idle}, or {@code limit} passed. */
    static void awaitQuiet(java.util.function.BooleanSupplier done, java.util.function.LongSupplier progress,
                           Duration idle, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > idle.toNanos()) {
                return;
            }
            sleep(Duration.ofMillis(20));
        }
    }

    /** Waits until the runtime on {@code port} answers /health/ready with 200, while {@code alive} holds. */
    private static void awaitReady(int port, Duration within, java.util.function.BooleanSupplier alive) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("the bot process exited before it was ready");
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the runtime", e);
            }
            sleep(Duration.ofMillis(50));
        }
        throw new IllegalStateException("the runtime was not ready within " + within.toSeconds() + " s");
    }

    @Override
    public void close() {
        try {
            bot.close();
        } finally {
            if (webhookTimer != null) {
                webhookTimer.close();
            }
            emulator.close();
            if (postgres != null && schema != null) {
                postgres.dropSchema(schema);
            }
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void setLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.WARN));
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static String randomString(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(SECRET_ALPHABET.charAt(RANDOM.nextInt(SECRET_ALPHABET.length())));
        }
        return out.toString();
    }

    /** A PostgreSQL server named by a {@code postgresql://user[:password]@host[:port]/database} URL. */
    record PostgresTarget(String jdbcUrl, String user, String password) {
        static PostgresTarget parse(String url) {
            URI uri = URI.create(url);
            if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("--database must be postgresql://user@host:port/database or sqlite:<path>");
            }
            String userInfo = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo();
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            String password = colon < 0 ? "" : userInfo.substring(colon + 1);
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            return new PostgresTarget("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getPath(), user, password);
        }

        void createSchema(String schema) {
            execute("CREATE SCHEMA " + schema);
        }

        void dropSchema(String schema) {
            try {
                execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (IllegalStateException e) {
                // leaving a schema behind is harmless; the run's result stands
            }
        }

        private void execute(String sql) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
                 Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL at " + jdbcUrl + ": " + e.getMessage(), e);
            }
        }
    }
}

package dev.telescale.runtime;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.admin.AdminLogin;
import dev.telescale.runtime.admin.AdminRoutes;
import dev.telescale.runtime.admin.DashboardFigures;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.BotStartContext;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.config.TelescaleConfig;
import dev.telescale.runtime.dispatch.DeliveryFailures;
import dev.telescale.runtime.dispatch.DispatchListener;
import dev.telescale.runtime.dispatch.Dispatcher;
import dev.telescale.runtime.dispatch.HostedBot;
import dev.telescale.runtime.dispatch.PeriodicTasks;
import dev.telescale.runtime.app.Delivery;
import dev.telescale.runtime.app.DeliveryContext;
import dev.telescale.runtime.storage.TransferredFileStore;
import dev.telescale.runtime.dispatch.ShardOwnership;
import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.ingress.LongPoller;
import dev.telescale.runtime.ingress.RecentCount;
import dev.telescale.runtime.ingress.UpdateIntake;
import dev.telescale.runtime.ingress.WebhookIngress;
import dev.telescale.runtime.ingress.WebhookSecrets;
import dev.telescale.runtime.ops.Alerts;
import dev.telescale.runtime.ops.Health;
import dev.telescale.runtime.ops.Metrics;
import dev.telescale.runtime.ops.OpsRoutes;
import dev.telescale.runtime.outbound.DeliveryListener;
import dev.telescale.runtime.outbound.OutboundMessage;
import dev.telescale.runtime.outbound.Sender;
import dev.telescale.runtime.outbound.SendLimits;
import dev.telescale.runtime.outbound.SenderSettings;
import dev.telescale.runtime.outbound.SharedSendRateLimiter;
import dev.telescale.runtime.state.DegradingState;
import dev.telescale.runtime.state.InProcessState;
import dev.telescale.runtime.state.RedisState;
import dev.telescale.runtime.state.SharedCache;
import dev.telescale.runtime.state.SharedState;
import dev.telescale.runtime.storage.Database;
import dev.telescale.runtime.storage.Outbox;
import dev.telescale.runtime.storage.UpdateJournal;
import dev.telescale.runtime.storage.UserStore;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import dev.telescale.runtime.users.UserCache;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Telescale instance: wires storage, shared state, ingress, dispatch, the sender and the
 * operations endpoints from a {@link TelescaleConfig}, and stops them in the order that loses
 * nothing (see {@link #close()}). Every piece of state another instance needs lives in the
 * database or in Redis; this object only holds connections and in-flight work.
 */
public final class TelescaleRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelescaleRuntime.class);
    /** Update kinds the runtime asks Telegram for: the default set plus reactions. */
    public static final List<String> ALLOWED_UPDATES = List.of("message", "edited_message", "callback_query",
            "my_chat_member", "message_reaction", "pre_checkout_query", "chat_member", "channel_post",
            "edited_channel_post", "chat_join_request");
    private static final String WORK_CHANNEL = "work";
    /**
     * Jetty's per-connection cache of repeated request header fields, in characters. Jetty's
     * default (1,024) costs a 96 KB char[] on every open connection, and Telegram keeps up to
     * max_connections (40 by default) webhook connections open per bot: 80 connections held 7.5 MB
     * of live heap in the memory benchmark. The only headers Jetty caches are standard ones (Host,
     * Content-Type, User-Agent, Accept-Encoding) with values of at most this length; 256 keeps
     * those and costs 24 KB per connection.
     */
    static final int HEADER_CACHE_SIZE = 256;
    /** How long a Mini App session lasts after its initData was accepted (the page asks for a new one after). */
    static final Duration WEB_APP_SESSION_LENGTH = Duration.ofHours(1);

    private final TelescaleConfig config;
    private final InstantSource clock;
    private final Map<Long, HostedBot> bots = new LinkedHashMap<>();
    private final List<AutoCloseable> pollers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Database database;
    private SharedState state;
    private Metrics metrics;
    private Health health;
    private Alerts alerts;
    private BotApiClient client;
    private UpdateJournal journal;
    private Outbox outbox;
    private UserStore users;
    private UserCache userCache;
    private ShardOwnership ownership;
    private Sender sender;
    private Dispatcher dispatcher;
    private UpdateIntake intake;
    /** The journal's accepted but unhandled updates, for the backpressure of both ingress paths. */
    private RecentCount pendingUpdates;
    private Javalin http;
    private AutoCloseable workSubscription;
    private AutoCloseable userInvalidations;
    private Thread housekeeping;
    private PeriodicTasks tasks;
    private Thread dashboardSampler;

    private TelescaleRuntime(TelescaleConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Starts an instance. {@code applications} maps the names used in BOT_TOKENS to applications.
     *
     * @throws IllegalArgumentException when a bot names an application that is not available
     */
    public static TelescaleRuntime start(TelescaleConfig config, Map<String, BotApplication> applications,
                                         InstantSource clock) {
        TelescaleRuntime runtime = new TelescaleRuntime(config, clock);
        try {
            runtime.startAll(applications);
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private void startAll(Map<String, BotApplication> applications) {
        for (TelescaleConfig.Bot bot : config.bots()) {
            BotApplication application = applications.get(bot.app());
            if (application == null) {
                throw new IllegalArgumentException("bot " + bot.token().redacted() + " names application '" + bot.app()
                        + "', which is not available (available: " + String.join(", ", applications.keySet()) + ")");
            }
            bots.put(bot.botId(), new HostedBot(bot.token(), application));
        }
        metrics = new Metrics();
        health = new Health();
        database = Database.open(databaseUrl(config.database()), config.database().poolSize());
        List<String> locations = new ArrayList<>();
        bots.values().stream().map(HostedBot::application).distinct()
                .forEach(app -> locations.addAll(app.migrationLocations()));
        database.migrate(locations);
        state = config.redis().inProcess()
                ? new InProcessState(clock)
                : DegradingState.over(RedisState.connect(config.redis().endpoint().orElseThrow().url().toString(),
                config.redis().keyPrefix(), clock, this::redisHealthChanged), config.instancesHint(), clock);
        client = new BotApiClient(config.telegramApiUrl().toString(), Duration.ofSeconds(30));
        journal = new UpdateJournal(database, clock);
        outbox = new Outbox(database);
        users = new UserStore(database);
        // On in-process state the L2 would be a second copy of L1 in this heap (30 MB for 100,000 users, bench memory).
        userCache = new UserCache(users, config.redis().inProcess() ? SharedCache.NONE : state.cache(), state.pubSub(),
                new UserCache.Settings(config.userCache().maxSize(), config.userCache().ttl(), UserCache.DEFAULT_SHARED_TTL),
                clock,
                (tier, hit) -> metrics.cacheRequests(tier.label(), hit ? "hit" : "miss").increment());
        userInvalidations = userCache.subscribe();
        alerts = new Alerts(this::sendAlert, clock);

        ownership = config.redis().inProcess()
                ? ShardOwnership.all()
                : ShardOwnership.shared(state.leases(), config.instanceId(), Duration.ofSeconds(15), this::wakeWork);
        TelescaleConfig.RateLimits limits = config.rateLimits();
        sender = new Sender(outbox, client, id -> bots.get(id).token(),
                new SharedSendRateLimiter(state.rateLimiter(), sendLimits(limits)),
                ownership::owned, clock, deliveryListener(),
                SenderSettings.defaults(), new TransferredFileStore(database, clock));
        dispatcher = new Dispatcher(database, journal, outbox, bots.values(), ownership::owned, this::afterCommit,
                dispatchListener(), userCache, clock, Dispatcher.Settings.defaults());
        intake = new UpdateIntake(journal, this::accepted, 10_000);
        pendingUpdates = new RecentCount(journal::countPending, Duration.ofMillis(250), clock);
        if (!config.redis().inProcess()) {
            workSubscription = state.pubSub().subscribe(WORK_CHANNEL, message -> wakeWork());
        }
        // before the sender starts: delivery receipts run in the tasks' kind of transaction
        tasks = new PeriodicTasks(database, outbox, state.leases(), config.instanceId(), bots.values(), clock,
                this::afterCommit, task -> metrics.handlerErrors(task).increment());
        registerHealthAndGauges();
        dispatcher.start();
        sender.start();
        housekeeping = Thread.ofVirtual().name("housekeeping").start(this::housekeepingLoop);
        tasks.start();
        startHttp();
        startIngress();
        for (HostedBot bot : bots.values()) {
            bot.application().onStart(startContext(bot));
        }
        alerts.send("Telescale instance " + config.instanceId() + " started with " + bots.size() + " bot(s)");
        log.info("Telescale instance {} started: {} bot(s), {}, {}, {}", config.instanceId(), bots.size(),
                database.describe(), state.describe(), config.polling() ? "long polling" : "webhooks");
    }

    private static SendLimits sendLimits(TelescaleConfig.RateLimits limits) {
        return new SendLimits(limits.perBotPerSecond(), (int) Math.max(1, Math.round(limits.perBotPerSecond())),
                limits.perChatPerSecond(), limits.perChatBurst(), limits.perGroupPerMinute(), limits.broadcastShare(),
                SendLimits.telegramDefaults().safetyMargin());
    }

    /** The URL {@link Database#open} takes for a configured database. */
    public static String databaseUrl(TelescaleConfig.Database database) {
        return switch (database.target()) {
            case TelescaleConfig.Database.Sqlite sqlite -> "sqlite:" + sqlite.file();
            case TelescaleConfig.Database.Postgres postgres -> postgres.jdbcUrl()
                    + (postgres.jdbcUrl().contains("?") ? "&" : "?") + "user=" + postgres.user()
                    + (postgres.password().isEmpty() ? "" : "&password=" + postgres.password());
        };
    }

    private void registerHealthAndGauges() {
        health.register("database", Duration.ofSeconds(1), () -> database.isHealthy(Duration.ofSeconds(1))
                ? new Health.Check("database", true, database.describe())
                : new Health.Check("database", false, database.describe() + " does not answer"));
        health.register("shared-state", Duration.ofSeconds(1), () -> new Health.Check("shared-state",
                state.isHealthy(), state.describe()));
        health.register("telegram", Duration.ofSeconds(2), this::telegramCheck);
        metrics.gauge("telescale_updates_pending", Tags.empty(), journal::countPending);
        metrics.gauge("telescale_dispatch_queued", Tags.empty(), dispatcher::queuedCount);
        metrics.gauge("telescale_dispatch_running", Tags.empty(), dispatcher::runningCount);
        metrics.gauge("telescale_outbox_pending", Tags.of("lane", "conversation"),
                () -> outbox.countPending(OutboundMessage.CONVERSATION));
        metrics.gauge("telescale_outbox_pending", Tags.of("lane", "broadcast"),
                () -> outbox.countPending(OutboundMessage.BROADCAST));
        metrics.gauge("telescale_db_pool_active", Tags.empty(), () -> database.poolStats().active());
        metrics.gauge("telescale_db_pool_waiting", Tags.empty(), () -> database.poolStats().waiting());
        metrics.gauge("telescale_shards_owned", Tags.empty(), () -> ownership.owned().size());
        metrics.functionCounter("telescale.sender.sent", Tags.empty(), () -> sender.stats().sent());
        metrics.functionCounter("telescale.sender.retries", Tags.empty(), () -> sender.stats().retried());
        metrics.functionCounter("telescale.sender.telegram429", Tags.empty(), () -> sender.stats().rateLimited429());
        metrics.functionCounter("telescale.sender.failed", Tags.empty(), () -> sender.stats().failed());
        metrics.gauge("telescale_sender_in_flight", Tags.empty(), () -> sender.stats().inFlight());
        metrics.functionCounter("telescale.db.transient.retries", Tags.empty(), database::transientRetries);
    }

    private Health.Check telegramCheck() {
        HostedBot first = bots.values().stream().findFirst().orElse(null);
        if (first == null) {
            return new Health.Check("telegram", true, "no bots");
        }
        ApiResult result = client.call(first.token(), "getMe", JsonNodeFactory.instance.objectNode(),
                Duration.ofSeconds(2));
        return new Health.Check("telegram", result instanceof ApiResult.Ok,
                result instanceof ApiResult.Ok ? "getMe answered" : "getMe: " + result);
    }

    private void startHttp() {
        WebhookIngress webhooks = config.polling() ? null : new WebhookIngress(bots.values(),
                new WebhookSecrets(config.webhook().orElseThrow().secret()), intake,
                pendingUpdates,
                config.ingress().maxPending(), config.ingress().maxBodyBytes(), clock, new WebhookIngress.Listener() {
            @Override
            public void received(long botId) {
                metrics.updatesIn(Long.toString(botId), "webhook").increment();
            }

            @Override
            public void rejected(long botId, int status) {
                metrics.updatesIn(Long.toString(botId), "rejected_" + status).increment();
            }
        });
        OpsRoutes ops = new OpsRoutes(health, metrics);
        AdminRoutes admin = adminRoutes();
        http = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.http.maxRequestSize = config.ingress().maxBodyBytes();
            javalin.jetty.host = config.http().host();
            javalin.jetty.port = config.http().port();
            javalin.jetty.modifyHttpConfiguration(jetty -> jetty.setHeaderCacheSize(HEADER_CACHE_SIZE));
            ops.register(javalin.routes);
            admin.register(javalin.routes);
            registerApplicationRoutes(javalin.routes, admin);
            if (webhooks != null) {
                webhooks.register(javalin.routes);
            }
        }).start();
    }

    /**
     * Each hosted application's own routes ({@link BotApplication#webRoutes}): public ones under
     * /apps/<name>/, admin ones under /admin/apps/<name>/ behind the dashboard's login.
     */
    private void registerApplicationRoutes(io.javalin.config.RoutesConfig routes, AdminRoutes admin) {
        Map<Long, BotToken> tokens = new LinkedHashMap<>();
        bots.forEach((id, bot) -> tokens.put(id, bot.token()));
        var services = new dev.telescale.runtime.web.ApplicationWebRoutes.Services(tasks, state.rateLimiter(),
                new dev.telescale.runtime.webapp.ClientAddresses(config.http().trustedProxies()),
                new dev.telescale.runtime.webapp.WebAppSessions(clock, WEB_APP_SESSION_LENGTH), Map.copyOf(tokens), clock);
        bots.values().stream().map(HostedBot::application).distinct().forEach(application ->
                new dev.telescale.runtime.web.ApplicationWebRoutes(application, routes, admin, services).register());
    }

    /**
     * Every 10 s: alerts when the database becomes unreachable or reachable again. Every five
     * minutes: forgets handled updates older than the deduplication window (DEDUP_WINDOW). Every
     * instance may run it; the deletes are idempotent.
     */
    private void housekeepingLoop() {
        long lastPurge = System.nanoTime();
        boolean databaseHealthy = true;
        while (!closed.get()) {
            try {
                Thread.sleep(Duration.ofSeconds(10));
                boolean healthy = database.isHealthy(Duration.ofSeconds(2));
                if (healthy != databaseHealthy) {
                    databaseHealthy = healthy;
                    alerts.send(healthy ? "the database is reachable again: " + database.describe()
                            : "the database is unreachable: " + database.describe());
                }
                if (System.nanoTime() - lastPurge < Duration.ofMinutes(5).toNanos()) {
                    continue;
                }
                lastPurge = System.nanoTime();
                int purged = journal.purgeHandledBefore(clock.millis() - config.ingress().dedupWindow().toMillis());
                if (purged > 0) {
                    log.info("forgot {} handled updates older than the deduplication window", purged);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("purging handled updates failed; trying again later", e);
            }
        }
    }

    /**
     * The admin dashboard: on only with ADMIN_PASSWORD; its application part comes from the first
     * hosted application that has an {@link dev.telescale.runtime.app.AdminPanel}. A virtual thread
     * samples every 10 s: the dashboard's charts, and the panel's figures exported on /metrics as
     * {@code telescale_app_figure{app,figure}} (so a scrape never queries the database).
     */
    private AdminRoutes adminRoutes() {
        DashboardFigures figures = new DashboardFigures(metrics.registry(), clock);
        Optional<BotApplication> withPanel = bots.values().stream().map(HostedBot::application)
                .filter(app -> app.adminPanel().isPresent()).findFirst();
        Optional<AdminLogin> login = config.admin().password().map(password -> new AdminLogin(password, clock));
        AdminRoutes routes = new AdminRoutes(login, figures, new AdminRoutes.PanelRunner(withPanel, tasks),
                config.instanceId());
        if (login.isPresent() || withPanel.isPresent()) {
            String app = withPanel.map(BotApplication::name).orElse("none");
            dashboardSampler = Thread.ofVirtual().name("dashboard-sampler").start(() -> {
                while (!closed.get()) {
                    try {
                        Map<String, Number> sampled = routes.applicationFigures();
                        // registering again only swaps the gauge's supplier for the new value
                        sampled.forEach((name, value) -> metrics.gauge("telescale_app_figure",
                                Tags.of("app", app, "figure", name), () -> value));
                        figures.sample(sampled);
                    } catch (RuntimeException e) {
                        log.warn("taking a dashboard sample failed; trying again in 10 s", e);
                    }
                    try {
                        Thread.sleep(DashboardFigures.SAMPLE_INTERVAL);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        return routes;
    }

    /** The header cache size of every HTTP connector actually started (for tests). */
    List<Integer> headerCacheSizes() {
        return Arrays.stream(http.jettyServer().server().getConnectors())
                .flatMap(connector -> connector.getConnectionFactories().stream())
                .filter(HttpConnectionFactory.class::isInstance)
                .map(factory -> ((HttpConnectionFactory) factory).getHttpConfiguration().getHeaderCacheSize())
                .toList();
    }

    /** The HTTP port actually bound (useful when configured as 0). */
    public int httpPort() {
        return http.port();
    }

    private void startIngress() {
        if (config.polling()) {
            for (HostedBot bot : bots.values()) {
                client.call(bot.token(), "deleteWebhook", JsonNodeFactory.instance.objectNode());
                LongPoller poller = new LongPoller(bot, client, state.leases(), intake, pendingUpdates,
                        config.ingress().maxPending(), config.instanceId(), clock,
                        LongPoller.Settings.defaults(ALLOWED_UPDATES), pollListener());
                poller.start();
                pollers.add(poller);
            }
            return;
        }
        TelescaleConfig.Webhook webhook = config.webhook().orElseThrow();
        WebhookSecrets secrets = new WebhookSecrets(webhook.secret());
        for (HostedBot bot : bots.values()) {
            ObjectNode params = JsonNodeFactory.instance.objectNode();
            params.put("url", webhook.urlFor(bot.token()).toString());
            params.put("secret_token", secrets.secretFor(bot.botId()));
            params.put("max_connections", webhook.maxConnections());
            var allowed = params.putArray("allowed_updates");
            ALLOWED_UPDATES.forEach(allowed::add);
            ApiResult result = client.call(bot.token(), "setWebhook", params);
            if (!(result instanceof ApiResult.Ok)) {
                alerts.send("setWebhook failed for bot " + bot.token().redacted() + ": " + result);
                log.error("setWebhook failed for bot {}: {}", bot.token().redacted(), result);
            }
        }
    }

    private LongPoller.Listener pollListener() {
        return new LongPoller.Listener() {
            @Override
            public void polled(long botId, int updates) {
                metrics.updatesIn(Long.toString(botId), "polling").increment(updates);
            }

            @Override
            public void pollFailed(long botId, String reason) {
                metrics.retries(Long.toString(botId), "poll").increment();
                alerts.send("polling bot " + botId + " failed: " + reason);
            }

            @Override
            public void leaseChanged(long botId, boolean held) {
                log.info("polling lease of bot {} {}", botId, held ? "taken" : "lost");
            }
        };
    }

    /** New journaled updates: start those of owned shards here, tell other instances about the rest. */
    private void accepted(List<InboundUpdate> fresh) {
        dispatcher.submit(fresh);
        if (!config.redis().inProcess()) {
            var owned = ownership.owned();
            if (fresh.stream().anyMatch(update -> !owned.contains(update.shard()))) {
                state.pubSub().publish(WORK_CHANNEL, "updates");
            }
        }
    }

    private void afterCommit() {
        sender.wake();
        if (!config.redis().inProcess()) {
            state.pubSub().publish(WORK_CHANNEL, "outbox");
        }
    }

    private void wakeWork() {
        if (dispatcher != null) {
            dispatcher.wakeScanner();
        }
        if (sender != null) {
            sender.wake();
        }
    }

    private DispatchListener dispatchListener() {
        return new DispatchListener() {
            @Override
            public void handled(InboundUpdate update, String application, long handleNanos) {
                metrics.handleLatency(application).record(Duration.ofNanos(handleNanos));
            }

            @Override
            public void handlerFailed(InboundUpdate update, String application, Throwable error, int attempt) {
                metrics.handlerErrors(application).increment();
            }

            @Override
            public void gaveUp(InboundUpdate update, String application, String reason) {
                alerts.send("update " + update.updateId() + " of bot " + update.botId() + " failed for good: " + reason);
            }
        };
    }

    private DeliveryListener deliveryListener() {
        return new DeliveryListener() {
            @Override
            public void onSent(OutboundMessage message, com.fasterxml.jackson.databind.JsonNode result) {
                metrics.updatesOut(Long.toString(message.botId()), "sent").increment();
                if (message.attempts() == 0) { // not yet rescheduled: notBefore is when the handler made the call
                    metrics.deliveryLatency(Long.toString(message.botId()))
                            .record(Duration.ofMillis(Math.max(0, clock.millis() - message.notBeforeMillis())));
                }
                String tag = DeliveryFailures.tagOf(message);
                if (tag != null) {
                    delivered(message, tag, result);
                }
            }

            @Override
            public void onUndeliverable(OutboundMessage message, ApiResult.Unreachable why) {
                metrics.updatesOut(Long.toString(message.botId()), "unreachable").increment();
                String reason = why.reason().name().toLowerCase();
                String status = switch (why.reason()) {
                    case BLOCKED -> UserStore.BLOCKED;
                    case DEACTIVATED -> UserStore.DEACTIVATED;
                    case NOT_STARTED -> UserStore.NEVER_STARTED;
                    default -> null;
                };
                if (status != null && message.chatId() > 0) {
                    users.setStatus(message.botId(), message.chatId(), status);
                }
                report(message, reason, why.code(), why.description());
            }

            @Override
            public void onRejected(OutboundMessage message, ApiResult.Rejected why) {
                metrics.updatesOut(Long.toString(message.botId()), "rejected").increment();
                report(message, "rejected", why.code(), why.description());
            }

            @Override
            public void onGaveUp(OutboundMessage message, String reason) {
                metrics.updatesOut(Long.toString(message.botId()), "gave_up").increment();
                report(message, "gave_up", 0, reason);
            }
        };
    }

    /** Tells the application that made a tagged call its result, in a transaction of its own. */
    private void delivered(OutboundMessage message, String tag, com.fasterxml.jackson.databind.JsonNode result) {
        String origin = message.origin() == null ? "" : message.origin();
        int bar = origin.indexOf('|');
        HostedBot originBot = bar > 0 ? bots.get(Long.parseLong(origin.substring(0, bar))) : bots.get(message.botId());
        if (originBot == null) {
            return;
        }
        Delivery delivery = new Delivery(message.botId(), message.chatId(), message.method(), tag, result);
        // A periodic task's kind of transaction: the application's writes and the calls it queues commit together.
        tasks.inTransaction(originBot.application(), context -> {
            originBot.application().onDelivered(delivery, new DeliveryContext() {
                @Override
                public <T> T dao(Class<T> daoType) {
                    return context.dao(daoType);
                }

                @Override
                public java.time.InstantSource clock() {
                    return context.clock();
                }

                @Override
                public dev.telescale.runtime.app.Outgoing send(long originBotId, long originChatId) {
                    return context.send(originBotId, originChatId);
                }
            });
            return null;
        });
    }

    private void report(OutboundMessage message, String reason, int code, String description) {
        InboundUpdate report = DeliveryFailures.report(message, reason, code, description, clock.millis());
        if (report != null && bots.containsKey(report.botId())) {
            var accepted = intake.offer(List.of(report));
            if (accepted == null) {
                journal.accept(List.of(report));
            }
        }
    }

    private void redisHealthChanged(boolean healthy) {
        if (alerts != null) {
            alerts.send(healthy ? "Redis is reachable again" : "Redis is unreachable: running degraded");
        }
    }

    /** The sink of {@link Alerts} (which logs every alert): the admin control chat, when configured. */
    private void sendAlert(String text) {
        if (config.admin().controlChatId().isEmpty() || bots.isEmpty() || outbox == null) {
            return;
        }
        HostedBot bot = bots.values().iterator().next();
        long chatId = config.admin().controlChatId().getAsLong();
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("chat_id", chatId);
        params.put("text", "[" + config.instanceId() + "] " + text);
        outbox.enqueue(new OutboundMessage(0, bot.botId(), chatId,
                dev.telescale.runtime.ingress.Partitioning.shardOfChat(bot.botId(), chatId), OutboundMessage.CONVERSATION,
                "sendMessage", params.toString(), 0, clock.millis(), "alert"));
        if (sender != null) {
            sender.wake();
        }
    }

    private BotStartContext startContext(HostedBot bot) {
        return new BotStartContext() {
            @Override
            public long botId() {
                return bot.botId();
            }

            @Override
            public java.util.Optional<com.fasterxml.jackson.databind.JsonNode> callNow(String method, ObjectNode params) {
                ApiResult result = client.call(bot.token(), method, params);
                if (result instanceof ApiResult.Ok ok) {
                    return java.util.Optional.of(ok.result());
                }
                log.warn("{} for bot {} failed: {}", method, bot.token().redacted(), result);
                return java.util.Optional.empty();
            }
        };
    }

    public Database database() {
        return database;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public UserCache userCache() {
        return userCache;
    }

    public Map<Long, HostedBot> bots() {
        return Map.copyOf(bots);
    }

    /**
     * Stops in the order that loses nothing: ingress first (pollers release their leases; the
     * webhook answers 503 so Telegram retries elsewhere), the intake journals what it holds, the
     * dispatcher finishes handlers in flight, the sender flushes its queues within the shutdown
     * timeout, shards are given back, then connections close.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Duration timeout = config.shutdownTimeout();
        if (health != null) {
            health.drain("shutting down");
        }
        pollers.forEach(TelescaleRuntime::closeQuietly);
        if (housekeeping != null) {
            housekeeping.interrupt();
        }
        if (dashboardSampler != null) {
            dashboardSampler.interrupt();
        }
        closeQuietly(tasks);
        closeQuietly(intake);
        if (dispatcher != null) {
            dispatcher.drainAndStop(timeout.dividedBy(2));
        }
        if (sender != null) {
            sender.stop(timeout.dividedBy(2));
        }
        if (alerts != null && outbox != null) {
            alerts.send("Telescale instance " + config.instanceId() + " stopped");
        }
        closeQuietly(workSubscription);
        closeQuietly(userInvalidations);
        closeQuietly(ownership);
        if (http != null) {
            http.stop();
        }
        closeQuietly(client);
        closeQuietly(state);
        closeQuietly(database);
        closeQuietly(metrics);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing {} failed", closeable.getClass().getSimpleName(), e);
        }
    }
}

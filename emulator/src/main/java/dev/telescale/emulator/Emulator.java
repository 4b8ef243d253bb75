package dev.telescale.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.emulator.api.ApiCall;
import dev.telescale.emulator.api.BotApiException;
import dev.telescale.emulator.api.BotApiHttp;
import dev.telescale.emulator.api.CallStats;
import dev.telescale.emulator.api.ChatMethods;
import dev.telescale.emulator.api.Conversations;
import dev.telescale.emulator.api.MediaFiles;
import dev.telescale.emulator.api.MessageMethods;
import dev.telescale.emulator.api.MethodHandler;
import dev.telescale.emulator.api.MethodRegistry;
import dev.telescale.emulator.faults.FaultInjector;
import dev.telescale.emulator.flood.FloodControl;
import dev.telescale.emulator.sim.SandboxRoutes;
import dev.telescale.emulator.sim.SimRoutes;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.updates.UpdateMethods;
import dev.telescale.emulator.updates.WebhookDeliverer;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HandlerType;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An emulator of the Telegram Bot API: a standalone HTTP server or an embedded one in tests.
 * {@code /bot<token>/<method>} is the Bot API, {@code /file/bot<token>/<path>} serves downloads,
 * {@code /sim/...} is the control API that plays the users (see docs/emulator.md), and
 * {@code /sandbox} a browser page that plays several users through it.
 *
 * <p>Requests run on virtual threads, so long polls and slow webhooks cost no platform thread.
 * Close it to stop the server and every webhook deliverer.
 */
public final class Emulator implements AutoCloseable {
    private final EmulatorConfig config;
    private final EmulatorState state;
    private final FloodControl flood;
    private final FaultInjector faults;
    private final CallStats stats = new CallStats();
    private final WebhookDeliverer webhooks;
    private final Simulator simulator;
    private final Javalin server;
    private static final Set<String> IGNORED_RESPONSE_METHODS = Set.of("setwebhook", "deletewebhook", "close",
            "logout");

    private Emulator(EmulatorConfig config) {
        this.config = config;
        this.state = new EmulatorState(config);
        this.flood = new FloodControl(config.clock(), config.flood());
        this.faults = new FaultInjector(config.faults(), config.seed());
        this.webhooks = new WebhookDeliverer(state, faults, config.webhook());
        MediaFiles media = new MediaFiles(state.files());
        Conversations conversations = new Conversations(state, flood);
        this.simulator = new Simulator(state, media, webhooks, config.webhook());
        MethodRegistry methods = new MethodRegistry();
        new MessageMethods(conversations, media).register(methods);
        new ChatMethods(state, media, simulator).register(methods);
        new UpdateMethods(state, webhooks, config).register(methods);
        simulator.registerMethods(methods, conversations);
        webhooks.setResponseMethodExecutor((bot, body) -> executeResponseMethod(methods, bot, body));
        BotApiHttp botApi = new BotApiHttp(state, methods, faults, stats);
        SimRoutes simRoutes = new SimRoutes(this, simulator);
        this.server = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.concurrency.useVirtualThreads = Boolean.parseBoolean(System.getProperty("telescale.emulator.virtualThreads", "true"));
            javalin.http.maxRequestSize = config.maxRequestBytes();
            // Bot API answers are small JSON; compressing them costs more CPU than it saves on loopback.
            javalin.http.compressionStrategy = CompressionStrategy.NONE;
            javalin.jetty.host = config.host();
            javalin.jetty.port = config.port();
            // The Bot API is the hot path: its route comes first so its requests do not walk the /sim routes.
            for (HandlerType type : new HandlerType[] {HandlerType.GET, HandlerType.POST}) {
                javalin.routes.addHttpHandler(type, "/bot{token}/<method>", botApi::handle);
            }
            simRoutes.register(javalin.routes);
            new SandboxRoutes().register(javalin.routes);
            javalin.routes.get("/file/{botToken}/<path>", ctx -> simulator.download(ctx, ctx.pathParam("botToken"),
                    ctx.pathParam("path")));
            for (HandlerType type : new HandlerType[] {HandlerType.GET, HandlerType.POST}) {
                javalin.routes.addHttpHandler(type, "/<path>", botApi::handle);
            }
        });
    }

    /**
     * Runs the method a webhook answer names, as Telegram does: every value is an argument (strings
     * as they are, other JSON re-serialised); getters and webhook/session methods are ignored, and
     * the result (or error) is discarded.
     */
    private static void executeResponseMethod(MethodRegistry methods, Bot bot, JsonNode body) {
        String method = body.path("method").asText("").toLowerCase(Locale.ROOT);
        if (method.isEmpty() || method.startsWith("get") || IGNORED_RESPONSE_METHODS.contains(method)) {
            return;
        }
        MethodHandler handler = methods.handler(method);
        if (handler == null) {
            return;
        }
        Map<String, String> args = new HashMap<>();
        body.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("method")) {
                JsonNode value = field.getValue();
                args.put(field.getKey(), value.isTextual() ? value.textValue() : value.toString());
            }
        });
        try {
            handler.handle(new ApiCall(bot, method, args, Map.of()));
        } catch (BotApiException e) {
            // the bot never learns the outcome of a method in a webhook answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("method " + method + " in a webhook answer failed", e);
        }
    }

    /** Starts an emulator; {@code config.port() == 0} picks a free port. */
    public static Emulator start(EmulatorConfig config) {
        Emulator emulator = new Emulator(config);
        emulator.server.start();
        emulator.webhooks.start();
        return emulator;
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** The base URL to give a bot library instead of https://api.telegram.org (no trailing slash). */
    public String baseUrl() {
        return "http://" + (config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host()) + ":" + port();
    }

    public EmulatorConfig config() {
        return config;
    }

    public EmulatorState state() {
        return state;
    }

    /** The Java face of the simulation API (the same operations as {@code /sim/...}). */
    public Simulator sim() {
        return simulator;
    }

    public FaultInjector faults() {
        return faults;
    }

    public FloodControl flood() {
        return flood;
    }

    public CallStats stats() {
        return stats;
    }

    @Override
    public void close() {
        webhooks.close();
        server.stop();
    }
}

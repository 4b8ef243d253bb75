package dev.telescale.runtime.ingress;

import dev.telescale.runtime.dispatch.HostedBot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook endpoint {@code POST /telegram/<key>}, one key per bot (a hash of its token, so the
 * token never appears in a URL or a log). The secret header is required and compared in
 * constant time. A 2xx goes back only after the update is journaled; under overload the answer
 * is 429 with Retry-After, which Telegram honours, instead of queueing without bound. Malformed
 * bodies get 400 with a one-line reason. Thread-safe.
 */
public final class WebhookIngress {
    private static final Logger log = LoggerFactory.getLogger(WebhookIngress.class);
    private static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

    /** What the ingress reports. */
    public interface Listener {
        void received(long botId);

        void rejected(long botId, int status);
    }

    private final Map<String, HostedBot> botsByKey = new ConcurrentHashMap<>();
    private final WebhookSecrets secrets;
    private final UpdateIntake intake;
    private final IntSupplier pendingUpdates;
    private final int maxPending;
    private final long maxBodyBytes;
    private final InstantSource clock;
    private final Listener listener;

    public WebhookIngress(Collection<HostedBot> bots, WebhookSecrets secrets, UpdateIntake intake,
                          IntSupplier pendingUpdates, int maxPending, long maxBodyBytes, InstantSource clock,
                          Listener listener) {
        bots.forEach(bot -> botsByKey.put(bot.token().webhookKey(), bot));
        this.secrets = secrets;
        this.intake = intake;
        this.pendingUpdates = pendingUpdates;
        this.maxPending = maxPending;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
        this.listener = listener;
    }

    public static String path(HostedBot bot) {
        return "/telegram/" + bot.token().webhookKey();
    }

    public void register(RoutesConfig routes) {
        routes.post("/telegram/{key}", this::handle);
    }

    void handle(Context ctx) {
        HostedBot bot = botsByKey.get(ctx.pathParam("key"));
        if (bot == null) {
            answer(ctx, 404, "no bot at this address", 0);
            return;
        }
        long botId = bot.botId();
        if (!secrets.matches(botId, ctx.header(SECRET_HEADER))) {
            listener.rejected(botId, 401);
            answer(ctx, 401, "missing or wrong secret token", botId);
            return;
        }
        long length = ctx.contentLength();
        if (length > maxBodyBytes) {
            listener.rejected(botId, 413);
            answer(ctx, 413, "the update is larger than " + maxBodyBytes + " bytes", botId);
            return;
        }
        if (pendingUpdates.getAsInt() >= maxPending) {
            listener.rejected(botId, 429);
            ctx.header("Retry-After", "5");
            answer(ctx, 429, "overloaded; retry later", botId);
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > maxBodyBytes) {
            listener.rejected(botId, 413);
            answer(ctx, 413, "the update is larger than " + maxBodyBytes + " bytes", botId);
            return;
        }
        InboundUpdate update;
        try {
            update = UpdateParser.parse(botId, new String(body, StandardCharsets.UTF_8), clock.millis());
        } catch (IllegalArgumentException e) {
            listener.rejected(botId, 400);
            answer(ctx, 400, e.getMessage(), botId);
            return;
        }
        CompletableFuture<List<InboundUpdate>> accepted = intake.offer(List.of(update));
        if (accepted == null) {
            listener.rejected(botId, 429);
            ctx.header("Retry-After", "5");
            answer(ctx, 429, "overloaded; retry later", botId);
            return;
        }
        try {
            accepted.get(30, TimeUnit.SECONDS);
            listener.received(botId);
            ctx.status(200).contentType("application/json").result("{\"ok\":true}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.header("Retry-After", "5");
            answer(ctx, 503, "shutting down; retry later", botId);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("update {} of bot {} could not be journaled", update.updateId(), bot.token().redacted());
            listener.rejected(botId, 503);
            ctx.header("Retry-After", "5");
            answer(ctx, 503, "storage unavailable; retry later", botId);
        }
    }

    private static void answer(Context ctx, int status, String reason, long botId) {
        ctx.status(status).contentType("application/json")
                .result("{\"ok\":false,\"error\":\"" + reason.replace("\"", "'") + "\"}");
    }
}

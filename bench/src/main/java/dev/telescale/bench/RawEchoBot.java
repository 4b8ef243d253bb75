package dev.telescale.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The ceiling's baseline ({@code bench ceiling --bot raw}): the same echo over the same HTTP stack
 * as Telescale (Javalin on Jetty with virtual threads for the webhook, {@link BotApiClient} on the
 * JDK's HttpClient for the calls), with nothing of Telescale in between: no journal, no dispatcher,
 * no outbox, no rate limits, no database. What it reaches is what this machine allows for this
 * traffic, so Telescale's figures can be read as a fraction of it. It promises nothing Telescale
 * promises: an update it fails on is gone, and a crash loses whatever it held.
 *
 * <p>Webhook: each POST is answered only after its echo was sent, so the emulator's one-delivery-
 * per-chat keeps each chat in order. Polling: one loop takes a page of updates, echoes each chat's
 * updates in order on a virtual thread per chat, waits for all of them, then confirms the page.
 * Thread-safe for what it does; closed once by its owner.
 */
final class RawEchoBot implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BotApiClient client;
    private final BotToken token;
    private final Javalin http;
    private final Thread poller;
    private volatile boolean running = true;

    private RawEchoBot(BotApiClient client, BotToken token, Javalin http, Thread poller) {
        this.client = client;
        this.token = token;
        this.http = http;
        this.poller = poller;
    }

    /** Listens on {@code port} and points the bot's webhook there, with {@code secret} as its secret token. */
    static RawEchoBot webhook(String apiBaseUrl, String token, int port, String secret) {
        BotApiClient client = new BotApiClient(apiBaseUrl, Duration.ofSeconds(30), Duration.ofSeconds(5));
        BotToken botToken = new BotToken(token);
        RawEchoBot[] bot = new RawEchoBot[1];
        Javalin http = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.concurrency.useVirtualThreads = true;
            javalin.jetty.host = "127.0.0.1";
            javalin.jetty.port = port;
            javalin.routes.post("/hook", ctx -> bot[0].onWebhook(ctx, secret));
        }).start();
        bot[0] = new RawEchoBot(client, botToken, http, null);
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("url", "http://127.0.0.1:" + port + "/hook");
        params.put("secret_token", secret);
        params.put("max_connections", 40);
        bot[0].require(client.call(botToken, "setWebhook", params), "setWebhook");
        return bot[0];
    }

    /** Reads updates with getUpdates. */
    static RawEchoBot polling(String apiBaseUrl, String token) {
        BotApiClient client = new BotApiClient(apiBaseUrl, Duration.ofSeconds(30), Duration.ofSeconds(5));
        RawEchoBot[] bot = new RawEchoBot[1];
        Thread poller = Thread.ofPlatform().name("raw-echo-poller").daemon().unstarted(() -> bot[0].pollLoop());
        bot[0] = new RawEchoBot(client, new BotToken(token), null, poller);
        bot[0].require(client.call(bot[0].token, "deleteWebhook", JsonNodeFactory.instance.objectNode()), "deleteWebhook");
        poller.start();
        return bot[0];
    }

    private void onWebhook(Context ctx, String secret) throws IOException {
        if (!secret.equals(ctx.header("X-Telegram-Bot-Api-Secret-Token"))) {
            ctx.status(401);
            return;
        }
        echo(JSON.readTree(ctx.bodyAsBytes()));
        ctx.status(200);
    }

    private void pollLoop() {
        long offset = 0;
        try (ExecutorService chats = Executors.newVirtualThreadPerTaskExecutor()) {
            while (running) {
                ObjectNode params = JsonNodeFactory.instance.objectNode();
                params.put("offset", offset);
                params.put("timeout", 1);
                params.put("limit", 100);
                if (!(client.call(token, "getUpdates", params, Duration.ofSeconds(10)) instanceof ApiResult.Ok ok)) {
                    BenchStack.sleep(Duration.ofMillis(100));
                    continue;
                }
                Map<Long, List<JsonNode>> byChat = new LinkedHashMap<>();
                for (JsonNode update : ok.result()) {
                    offset = Math.max(offset, update.path("update_id").asLong() + 1);
                    byChat.computeIfAbsent(update.path("message").path("chat").path("id").asLong(), chat -> new ArrayList<>())
                            .add(update);
                }
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (List<JsonNode> updates : byChat.values()) {
                    running.add(chats.submit(() -> updates.forEach(this::echo)));
                }
                for (java.util.concurrent.Future<?> chat : running) {
                    try {
                        chat.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        // the echo is lost, as it would be for any bot without a journal; the correctness check shows it
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The echo application's answer, without the application: /start gets a greeting, anything else a copy. */
    private void echo(JsonNode update) {
        JsonNode message = update.path("message");
        if (message.isMissingNode()) {
            return;
        }
        long chatId = message.path("chat").path("id").asLong();
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("chat_id", chatId);
        if (message.path("text").asText("").startsWith("/start")) {
            params.put("text", "Hello! Send me anything and I will send it back.");
            client.call(token, "sendMessage", params);
            return;
        }
        params.put("from_chat_id", chatId);
        params.put("message_id", message.path("message_id").asLong());
        client.call(token, "copyMessage", params);
    }

    private void require(ApiResult result, String method) {
        if (!(result instanceof ApiResult.Ok)) {
            close();
            throw new IllegalStateException("the raw echo bot's " + method + " failed: " + result);
        }
    }

    @Override
    public void close() {
        running = false;
        if (http != null) {
            http.stop();
        }
        if (poller != null) {
            poller.interrupt();
            try {
                poller.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
    }
}

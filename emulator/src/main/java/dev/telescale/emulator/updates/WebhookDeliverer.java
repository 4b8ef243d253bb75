package dev.telescale.emulator.updates;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.emulator.WebhookPolicy;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.faults.FaultInjector;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.EmulatorState;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers pending updates to webhooks as Telegram does: a POST of one Update with the secret
 * header; per queue key only the head in flight, up to max_connections keys at once; a failed
 * update is retried first immediately, then after 2, 4, 8 ... seconds, capped by a random
 * 60-120 s, or exactly after the answer's Retry-After; expired updates are dropped. A 2xx
 * answer whose body names a "method" has that method executed, its result discarded.
 *
 * <p>Concurrency: one virtual thread per bot with a webhook runs the scheduling loop; each
 * delivery runs on its own virtual thread. The loop stops when the bot's webhook changes (a
 * new loop starts for the new settings). Failure counts are per bot and queue key.
 */
public final class WebhookDeliverer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDeliverer.class);
    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"), Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"), Map.entry(413, "Payload Too Large"), Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    private final EmulatorState state;
    private final FaultInjector faults;
    private final WebhookPolicy policy;
    private final HttpClient http;
    private final Map<Long, Thread> loops = new ConcurrentHashMap<>();
    private final Map<String, Integer> failuresByKey = new ConcurrentHashMap<>();
    private final SplittableRandom random;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile BiConsumer<Bot, JsonNode> responseMethodExecutor = (bot, body) -> { };

    public WebhookDeliverer(EmulatorState state, FaultInjector faults, WebhookPolicy policy) {
        this.state = state;
        this.faults = faults;
        this.policy = policy;
        this.random = new SplittableRandom(state.clock().millis());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(policy.connectTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Runs method calls that webhook answers carry; set once by the emulator. */
    public void setResponseMethodExecutor(BiConsumer<Bot, JsonNode> executor) {
        this.responseMethodExecutor = executor;
    }

    public void start() {
        running.set(true);
    }

    /** Called after setWebhook or deleteWebhook: (re)starts or stops the bot's delivery loop. */
    public void webhookChanged(Bot bot) {
        Thread previous = loops.remove(bot.id());
        if (previous != null) {
            previous.interrupt();
        }
        failuresByKey.keySet().removeIf(key -> key.startsWith(bot.id() + "/"));
        WebhookSettings settings = bot.webhook();
        if (settings != null && running.get()) {
            loops.put(bot.id(), Thread.ofVirtual().name("webhook-" + bot.id()).start(() -> loop(bot, settings)));
        }
    }

    private void loop(Bot bot, WebhookSettings settings) {
        UpdateQueue queue = bot.updates();
        try {
            while (running.get() && bot.webhook() == settings && !Thread.currentThread().isInterrupted()) {
                var batch = queue.takeForDelivery(settings.maxConnections());
                for (UpdateQueue.Pending update : batch) {
                    Thread.ofVirtual().start(() -> deliver(bot, settings, update));
                }
                if (batch.isEmpty()) {
                    queue.awaitChange(1_000, settings.maxConnections());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Bot bot, WebhookSettings settings, UpdateQueue.Pending update) {
        String failure;
        long retryAfterSeconds = 0;
        if (faults.failWebhookDelivery()) {
            failure = "Can't connect to the webhook";
        } else {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.url()))
                        .timeout(policy.requestTimeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(update.json())));
                if (settings.secretToken() != null) {
                    request.header("X-Telegram-Bot-Api-Secret-Token", settings.secretToken());
                }
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    succeeded(bot, update, response);
                    return;
                }
                failure = "Wrong response from the webhook: " + status + " " + REASONS.getOrDefault(status, "Unknown");
                retryAfterSeconds = response.headers().firstValue("Retry-After").map(WebhookDeliverer::seconds).orElse(0L);
            } catch (HttpTimeoutException e) {
                failure = "Read timeout expired";
            } catch (ConnectException e) {
                failure = "Can't connect to the webhook";
            } catch (IOException e) {
                failure = "Webhook connection closed";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "Webhook connection closed";
            } catch (IllegalArgumentException e) {
                failure = "Can't connect to the webhook";
            }
        }
        failed(bot, update, failure, retryAfterSeconds);
    }

    private static long seconds(String header) {
        try {
            return Math.max(0, Math.min(3600, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void succeeded(Bot bot, UpdateQueue.Pending update, HttpResponse<byte[]> response) {
        failuresByKey.remove(bot.id() + "/" + update.queueKey());
        state.trace().delivered(bot.id(), UpdateMethods.chatOf(update), update.updateId());
        bot.updates().deliverySucceeded(update);
        byte[] body = response.body();
        if (body.length > 0 && response.headers().firstValue("Content-Type").orElse("").contains("json")) {
            JsonNode parsed = Json.parseOrNull(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            if (parsed != null && parsed.isObject() && parsed.path("method").isTextual()) {
                try {
                    responseMethodExecutor.accept(bot, parsed);
                } catch (RuntimeException e) {
                    log.debug("method in webhook answer failed", e);
                }
            }
        }
    }

    private void failed(Bot bot, UpdateQueue.Pending update, String failure, long retryAfterSeconds) {
        if (!failure.equals("Webhook connection closed")) {
            bot.webhookStatus().recordError(state.clock().millis() / 1000, failure);
        }
        String key = bot.id() + "/" + update.queueKey();
        long delayMillis;
        if (retryAfterSeconds > 0) {
            delayMillis = retryAfterSeconds * 1000;
        } else {
            int failures = failuresByKey.merge(key, 1, Integer::sum);
            delayMillis = retryDelayMillis(failures);
        }
        bot.updates().deliveryFailed(update, state.clock().millis() + delayMillis);
    }

    /** The delay after the n-th consecutive failure: 0, then 2, 4, 8 ... s, capped by a random 60-120 s. */
    long retryDelayMillis(int failures) {
        if (failures <= 1) {
            return 0;
        }
        long doubling = policy.firstRetryDelay().toMillis() << Math.min(30, failures - 1);
        long cap;
        synchronized (random) {
            cap = policy.maxDelayMin().toMillis()
                    + (long) (random.nextDouble() * (policy.maxDelayMax().toMillis() - policy.maxDelayMin().toMillis()));
        }
        return Math.min(doubling, cap);
    }

    @Override
    public void close() {
        running.set(false);
        loops.values().forEach(Thread::interrupt);
        loops.clear();
        http.close();
    }
}

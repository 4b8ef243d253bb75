package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimUser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery against a local HTTP server, with Telegram's schedule shrunk 100 times. */
class WebhookDeliveryTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "2345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final String SECRET = "my_Secret-123";

    /** What the webhook server saw. */
    record Delivery(long atNanos, String secretHeader, JsonNode update) {
        long chatId() {
            JsonNode message = update.path("message");
            return message.path("chat").path("id").asLong();
        }

        String text() {
            return update.path("message").path("text").asText();
        }
    }

    /** Decides the answer to one delivery: returns the status; may set headers or write a body itself. */
    @FunctionalInterface
    interface Responder {
        int respond(Delivery delivery, HttpExchange exchange, int attemptForChat) throws Exception;
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final java.util.Map<Long, AtomicInteger> attemptsByChat = new java.util.concurrent.ConcurrentHashMap<>();
    private Emulator emulator;
    private HttpServer server;
    private volatile Responder responder = (delivery, exchange, attempt) -> 200;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private void start(WebhookPolicy policy) throws IOException {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()).withWebhook(policy));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] bytes = exchange.getRequestBody().readAllBytes();
                Delivery delivery = new Delivery(System.nanoTime(),
                        exchange.getRequestHeaders().getFirst("X-Telegram-Bot-Api-Secret-Token"), MAPPER.readTree(bytes));
                deliveries.add(delivery);
                int attempt = attemptsByChat.computeIfAbsent(delivery.chatId(), id -> new AtomicInteger())
                        .incrementAndGet();
                int status = responder.respond(delivery, exchange, attempt);
                if (status > 0) {
                    exchange.sendResponseHeaders(status, -1);
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
        });
        server.start();
    }

    private void start() throws IOException {
        start(WebhookPolicy.telegram().scaled(0.01));
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private JsonNode call(String method, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + TOKEN
                        + "/" + method)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = MAPPER.readTree(response.body());
        assertThat(body.path("ok").asBoolean()).as(response.body()).isTrue();
        return body.path("result");
    }

    private Bot bot() {
        return emulator.sim().registerBot(TOKEN);
    }

    private void setWebhook(String extraJson) throws Exception {
        call("setWebhook", "{\"url\":\"" + hookUrl() + "\",\"secret_token\":\"" + SECRET + "\"" + extraJson + "}");
    }

    /** A user who started the bot before the webhook existed, with the /start update dropped. */
    private SimUser user(String name) throws Exception {
        SimUser user = emulator.sim().createUser(name, null, null, "en", false);
        emulator.sim().start(user.id(), bot().id(), null);
        return user;
    }

    private void say(SimUser user, String text) {
        emulator.sim().send(user.id(), bot().id(), 0, MAPPER.createObjectNode().put("text", text));
    }

    private List<Delivery> deliveriesTo(long chatId) {
        return deliveries.stream().filter(d -> d.chatId() == chatId).toList();
    }

    private List<String> textsTo(long chatId) {
        return deliveriesTo(chatId).stream().map(Delivery::text).toList();
    }

    @Test
    void deliver_withSecretToken_sendsSecretHeader() throws Exception {
        start();
        SimUser user = user("Ada");
        setWebhook("");
        say(user, "hello");
        await().atMost(Duration.ofSeconds(5)).until(() -> textsTo(user.id()).contains("hello"));
        assertThat(deliveries).allSatisfy(d -> assertThat(d.secretHeader()).isEqualTo(SECRET));
        Delivery delivery = deliveriesTo(user.id()).getLast();
        assertThat(delivery.update().path("update_id").asLong()).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> call("getWebhookInfo", "{}").path("pending_update_count").asInt() == 0);
    }

    @Test
    void deliver_oneChatFailing_keepsItsOrderWhileOtherChatsProceed() throws Exception {
        start();
        SimUser a = user("Alice");
        SimUser b = user("Bob");
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (emulator.sim().bot(bot().id()).updates().snapshot().getLast().updateId() + 1) + "}");
        responder = (delivery, exchange, attempt) -> delivery.chatId() == a.id() && attempt <= 3 ? 500 : 200;
        setWebhook("");
        for (int i = 1; i <= 3; i++) {
            say(a, "a" + i);
            say(b, "b" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> textsTo(b.id()).containsAll(List.of("b1", "b2", "b3"))
                && textsTo(a.id()).containsAll(List.of("a1", "a2", "a3")));
        assertThat(textsTo(b.id())).containsExactly("b1", "b2", "b3");
        assertThat(textsTo(a.id())).containsExactly("a1", "a1", "a1", "a1", "a2", "a3");
        // B was not held up by A's failures: all of B arrived before A's first success
        long firstSuccessOfA = deliveriesTo(a.id()).get(3).atNanos();
        assertThat(deliveriesTo(b.id()).get(0).atNanos()).isLessThan(firstSuccessOfA);
    }

    @Test
    void deliver_failures_retryFirstImmediatelyThenWithGrowingDelays() throws Exception {
        start();
        SimUser user = user("Ada");
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (bot().updates().snapshot().getLast().updateId() + 1) + "}");
        responder = (delivery, exchange, attempt) -> attempt <= 4 ? 500 : 200;
        setWebhook("");
        say(user, "retry me");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesTo(user.id()).size() >= 5);
        List<Delivery> attempts = deliveriesTo(user.id());
        long gap1 = attempts.get(1).atNanos() - attempts.get(0).atNanos();
        long gap2 = attempts.get(2).atNanos() - attempts.get(1).atNanos();
        long gap3 = attempts.get(3).atNanos() - attempts.get(2).atNanos();
        // scaled 0.01: immediate, then 20 ms, 40 ms
        assertThat(gap2).isGreaterThan(gap1);
        assertThat(gap3).isGreaterThan(gap1);
        assertThat(Duration.ofNanos(gap3).toMillis()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void deliver_retryAfterHeader_isHonoured() throws Exception {
        start();
        SimUser user = user("Ada");
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (bot().updates().snapshot().getLast().updateId() + 1) + "}");
        responder = (delivery, exchange, attempt) -> {
            if (attempt == 1) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                return 429;
            }
            return 200;
        };
        setWebhook("");
        say(user, "later");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesTo(user.id()).size() >= 2);
        List<Delivery> attempts = deliveriesTo(user.id());
        assertThat(Duration.ofNanos(attempts.get(1).atNanos() - attempts.get(0).atNanos()).toMillis())
                .isGreaterThanOrEqualTo(900);
    }

    @Test
    void getWebhookInfo_failingWebhook_reportsLastErrorAndPendingCount() throws Exception {
        start();
        SimUser user = user("Ada");
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (bot().updates().snapshot().getLast().updateId() + 1) + "}");
        responder = (delivery, exchange, attempt) -> 500;
        setWebhook("");
        say(user, "one");
        say(user, "two");
        await().atMost(Duration.ofSeconds(5)).until(() -> call("getWebhookInfo", "{}").has("last_error_message"));
        JsonNode info = call("getWebhookInfo", "{}");
        assertThat(info.path("url").asText()).isEqualTo(hookUrl());
        assertThat(info.path("last_error_message").asText())
                .isEqualTo("Wrong response from the webhook: 500 Internal Server Error");
        assertThat(info.path("last_error_date").asLong()).isPositive();
        assertThat(info.path("pending_update_count").asInt()).isEqualTo(2);
        assertThat(info.path("max_connections").asInt()).isEqualTo(40);
    }

    @Test
    void deliver_maxConnectionsOne_serialisesKeys() throws Exception {
        start();
        SimUser a = user("Alice");
        SimUser b = user("Bob");
        SimUser c = user("Carol");
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        responder = (delivery, exchange, attempt) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(50);
            inFlight.decrementAndGet();
            return 200;
        };
        setWebhook(",\"max_connections\":1");
        for (SimUser user : List.of(a, b, c)) {
            say(user, "x " + user.firstName());
            say(user, "y " + user.firstName());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesTo(a.id()).size() >= 3
                && deliveriesTo(b.id()).size() >= 3 && deliveriesTo(c.id()).size() >= 3);
        assertThat(maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void deliver_parallelKeys_withDefaultMaxConnections() throws Exception {
        start();
        List<SimUser> users = List.of(user("A"), user("B"), user("C"), user("D"));
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        responder = (delivery, exchange, attempt) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(200);
            inFlight.decrementAndGet();
            return 200;
        };
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (bot().updates().snapshot().getLast().updateId() + 1) + "}");
        setWebhook("");
        users.forEach(user -> say(user, "hi"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() >= 4);
        assertThat(maxInFlight.get()).isGreaterThan(1);
    }

    @Test
    void deliver_alwaysFailing_expiredUpdatesAreDropped() throws Exception {
        WebhookPolicy scaled = WebhookPolicy.telegram().scaled(0.01);
        WebhookPolicy tinyTtl = new WebhookPolicy(scaled.requestTimeout(), scaled.firstRetryDelay(), scaled.maxDelayMin(),
                scaled.maxDelayMax(), Duration.ofMillis(800), Duration.ofMillis(800), scaled.connectTimeout());
        start(tinyTtl);
        SimUser user = user("Ada");
        responder = (delivery, exchange, attempt) -> 500;
        setWebhook("");
        say(user, "doomed");
        assertThat(call("getWebhookInfo", "{}").path("pending_update_count").asInt()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> call("getWebhookInfo", "{}").path("pending_update_count").asInt() == 0);
        assertThat(deliveriesTo(user.id())).isNotEmpty();
    }

    @Test
    void deliver_answerWithMethod_executesIt() throws Exception {
        start();
        SimUser user = user("Ada");
        call("getUpdates", "{\"offset\":-1}");
        call("getUpdates", "{\"offset\":" + (bot().updates().snapshot().getLast().updateId() + 1) + "}");
        responder = (delivery, exchange, attempt) -> {
            byte[] answer = ("{\"method\":\"sendMessage\",\"chat_id\":" + delivery.chatId() + ",\"text\":\"x\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            return 0;
        };
        setWebhook("");
        say(user, "ping");
        await().atMost(Duration.ofSeconds(5)).until(() -> emulator.sim().inbox(user.id(), bot().id(), 0, 0).stream()
                .anyMatch(e -> e.event().equals("message") && e.payload().path("text").asText().equals("x")));
        InboxEvent event = emulator.sim().inbox(user.id(), bot().id(), 0, 0).getLast();
        assertThat(event.payload().path("from").path("id").asLong()).isEqualTo(bot().id());
    }

    @Test
    void deliver_answerWithGetter_isIgnored() throws Exception {
        start();
        SimUser user = user("Ada");
        responder = (delivery, exchange, attempt) -> {
            byte[] answer = "{\"method\":\"deleteWebhook\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            return 0;
        };
        setWebhook("");
        say(user, "ping");
        await().atMost(Duration.ofSeconds(5)).until(() -> textsTo(user.id()).contains("ping"));
        Thread.sleep(100);
        assertThat(call("getWebhookInfo", "{}").path("url").asText()).isEqualTo(hookUrl());
    }
}

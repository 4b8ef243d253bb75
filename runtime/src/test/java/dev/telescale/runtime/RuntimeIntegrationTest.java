package dev.telescale.runtime;

import static dev.telescale.runtime.RuntimeHarness.TOKEN_A;
import static dev.telescale.runtime.RuntimeHarness.TOKEN_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import dev.telescale.emulator.state.SimUser;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.dispatch.DeliveryFailures;
import dev.telescale.runtime.ingress.WebhookSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime end to end against the emulator, on both backends and both ingress paths: no loss,
 * once, order, failure reports, bad input at the webhook.
 */
class RuntimeIntegrationTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;
    private Emulator emulator;
    private final List<TelescaleRuntime> runtimes = new ArrayList<>();

    @BeforeEach
    void startEmulator() {
        emulator = RuntimeHarness.emulator();
        emulator.sim().registerBot(TOKEN_A);
        emulator.sim().registerBot(TOKEN_B);
    }

    @AfterEach
    void stopAll() {
        runtimes.forEach(TelescaleRuntime::close);
        emulator.close();
    }

    static Stream<Arguments> setups() {
        return Stream.of(Arguments.of("sqlite", "polling"), Arguments.of("sqlite", "webhook"),
                Arguments.of("postgres+redis", "polling"), Arguments.of("postgres+redis", "webhook"));
    }

    private Map<String, String> env(String backend, String ingress, String... tokens) {
        Map<String, String> env = RuntimeHarness.env(emulator, dataDir, tokens);
        if (backend.equals("postgres+redis")) {
            RuntimeHarness.onPostgresAndRedis(env);
        }
        if (ingress.equals("webhook")) {
            RuntimeHarness.withWebhook(env);
        }
        return env;
    }

    private TelescaleRuntime start(Map<String, String> env, RecordingApplication app) {
        TelescaleRuntime runtime = RuntimeHarness.start(env, app);
        runtimes.add(runtime);
        return runtime;
    }

    private SimUser startedUser(String name, long botId) {
        SimUser user = emulator.sim().createUser(name, null, null, "en", false);
        emulator.sim().start(user.id(), botId, null);
        return user;
    }

    private void say(SimUser user, long botId, String text) {
        ObjectNode content = Json.object();
        content.put("text", text);
        emulator.sim().send(user.id(), botId, 0, content);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setups")
    void messages_manyChatsConcurrently_eachEchoedOnceInOrder(String backend, String ingress) {
        RecordingApplication app = new RecordingApplication();
        start(env(backend, ingress, TOKEN_A), app);
        long bot = new BotToken(TOKEN_A).botId();
        List<SimUser> users = IntStream.range(0, 8).mapToObj(i -> startedUser("User" + i, bot)).toList();
        users.parallelStream().forEach(user -> {
            for (int i = 0; i < 25; i++) {
                say(user, bot, "m" + i);
            }
        });
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 25).forEach(i -> expected.add("echo: m" + i));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> users.forEach(user ->
                assertThat(RuntimeHarness.textsSentTo(emulator, bot, user.id())).hasSize(expected.size())));
        users.forEach(user -> RuntimeHarness.assertInOrderOnce(RuntimeHarness.textsSentTo(emulator, bot, user.id()),
                expected));
        assertThat(app.handled).hasSize(users.size() * expected.size());
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setups")
    void faults_tenPercent5xxAndA429Storm_everyMessageArrivesInOrder(String backend, String ingress)
            throws InterruptedException {
        RecordingApplication app = new RecordingApplication();
        start(env(backend, ingress, TOKEN_A), app);
        long bot = new BotToken(TOKEN_A).botId();
        List<SimUser> users = IntStream.range(0, 4).mapToObj(i -> startedUser("Faulty" + i, bot)).toList();
        // 10 % of calls fail with a 5xx: half JSON 500s, half the HTML 502 of Telegram's front end.
        FaultSettings tenPercent5xx = new FaultSettings(LatencyDistribution.none(), 0.05, 0.05, 0, 0, 1, 0.05);
        emulator.faults().update(tenPercent5xx);
        users.forEach(user -> IntStream.range(0, 8).forEach(i -> say(user, bot, "f" + i)));
        // A 429 storm: every call is refused with retry_after 1 for two seconds.
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 0.05, 0.05, 0, 1.0, 1, 0.05));
        users.forEach(user -> IntStream.range(8, 15).forEach(i -> say(user, bot, "f" + i)));
        Thread.sleep(2_000);
        emulator.faults().update(tenPercent5xx);
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 15).forEach(i -> expected.add("echo: f" + i));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> users.forEach(user ->
                assertThat(RuntimeHarness.textsSentTo(emulator, bot, user.id()).stream().distinct().toList())
                        .containsExactlyElementsOf(expected)));
        long refused = emulator.stats().snapshot().values().stream()
                .mapToLong(byStatus -> byStatus.getOrDefault(429, 0L)).sum();
        assertThat(refused).as("the storm was felt (429s to getUpdates or sendMessage)").isPositive();
        emulator.faults().update(FaultSettings.none());
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setups")
    void handlerFailure_onceThenSucceeds_laneKeepsOrderAndOtherChatsGoOn(String backend, String ingress) {
        RecordingApplication app = new RecordingApplication();
        start(env(backend, ingress, TOKEN_A), app);
        long bot = new BotToken(TOKEN_A).botId();
        SimUser failing = startedUser("Failing", bot);
        SimUser other = startedUser("Other", bot);
        say(failing, bot, "fail-once");
        say(failing, bot, "after");
        say(failing, bot, "fail-always");
        say(failing, bot, "last");
        say(other, bot, "hello");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                RuntimeHarness.textsSentTo(emulator, bot, failing.id()))
                .containsExactly("echo: /start", "echo: fail-once", "echo: after", "echo: last"));
        assertThat(RuntimeHarness.textsSentTo(emulator, bot, other.id())).containsExactly("echo: /start", "echo: hello");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setups")
    void blockedRecipient_reportsTheFailureToTheApplication(String backend, String ingress) {
        RecordingApplication app = new RecordingApplication();
        start(env(backend, ingress, TOKEN_A, TOKEN_B), app);
        long botA = new BotToken(TOKEN_A).botId();
        long botB = new BotToken(TOKEN_B).botId();
        SimUser sender = startedUser("Sender", botA);
        SimUser recipient = startedUser("Recipient", botB);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                RuntimeHarness.textsSentTo(emulator, botB, recipient.id()).contains("echo: /start"));
        emulator.sim().setBlocked(recipient.id(), botB, true);
        say(sender, botA, "relay " + botB + " " + recipient.id());
        await().atMost(Duration.ofSeconds(30)).until(() -> !app.failures.isEmpty());
        assertThat(app.failures).hasSize(1);
        var report = app.failures.getFirst().body();
        assertThat(report.path("reason").asText()).isEqualTo("blocked");
        assertThat(report.path("origin_chat_id").asLong()).isEqualTo(sender.id());
        assertThat(report.path("chat_id").asLong()).isEqualTo(recipient.id());
        assertThat(app.failures.getFirst().type()).isEqualTo(DeliveryFailures.TYPE);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("setups")
    void oneBotRevoked_theOtherBotKeepsServing(String backend, String ingress) {
        RecordingApplication app = new RecordingApplication();
        start(env(backend, ingress, TOKEN_A, TOKEN_B), app);
        long botA = new BotToken(TOKEN_A).botId();
        long botB = new BotToken(TOKEN_B).botId();
        SimUser userA = startedUser("OfA", botA);
        SimUser userB = startedUser("OfB", botB);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                RuntimeHarness.textsSentTo(emulator, botA, userA.id()).contains("echo: /start"));
        emulator.state().bot(botA).revoke();
        say(userA, botA, "into the void");
        IntStream.range(0, 10).forEach(i -> say(userB, botB, "b" + i));
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 10).forEach(i -> expected.add("echo: b" + i));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(RuntimeHarness.textsSentTo(emulator, botB, userB.id())).containsExactlyElementsOf(expected));
        assertThat(RuntimeHarness.textsSentTo(emulator, botA, userA.id())).containsExactly("echo: /start");
    }

    @Test
    void webhook_duplicateDeliveryAndBadInput_handledOnceAndRefusedClearly() throws Exception {
        RecordingApplication app = new RecordingApplication();
        Map<String, String> env = env("sqlite", "webhook", TOKEN_A);
        TelescaleRuntime runtime = start(env, app);
        assertThat(runtime.headerCacheSizes()).as("a small header cache on every connector")
                .containsExactly(TelescaleRuntime.HEADER_CACHE_SIZE);
        String url = webhookUrl(env, TOKEN_A);
        String secret = webhookSecret(env, TOKEN_A);
        String update = "{\"update_id\":555000111,\"message\":{\"message_id\":1,\"date\":1,"
                + "\"chat\":{\"id\":42,\"type\":\"private\",\"first_name\":\"A\"},\"from\":{\"id\":42,\"is_bot\":false,"
                + "\"first_name\":\"A\"},\"text\":\"dup\"}}";
        assertThat(post(url, secret, update).statusCode()).isEqualTo(200);
        assertThat(post(url, secret, update).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.countHandled(555000111) == 1);
        Thread.sleep(500);
        assertThat(app.countHandled(555000111)).isEqualTo(1);

        HttpResponse<String> wrongSecret = post(url, "nope", update);
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        HttpResponse<String> noSecret = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(update)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noSecret.statusCode()).isEqualTo(401);
        HttpResponse<String> garbage = post(url, secret, "{not json");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not JSON").doesNotContain("Exception");
        HttpResponse<String> noId = post(url, secret, "{\"message\":{}}");
        assertThat(noId.statusCode()).isEqualTo(400);
        HttpResponse<String> unknownBot = post("http://127.0.0.1:" + env.get("HTTP_PORT") + "/telegram/nobody", secret,
                update);
        assertThat(unknownBot.statusCode()).isEqualTo(404);
    }

    @Test
    void polling_atTheBacklogLimit_leavesNewUpdatesAtTelegramUntilTheBacklogShrinks() throws Exception {
        // PostgreSQL: a held handler holds row locks only, so without the pause the poller's
        // updates would be journaled and handled on their own lane at once (SQLite's single writer
        // lock would hold them back anyway and hide the difference).
        RecordingApplication app = new RecordingApplication();
        Map<String, String> env = env("postgres+redis", "polling", TOKEN_A);
        env.put("INGRESS_MAX_PENDING", "1");
        start(env, app);
        long bot = new BotToken(TOKEN_A).botId();
        SimUser holder = startedUser("Holder", bot);
        SimUser other = startedUser("Other", bot);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.handled.size() == 2); // both /start
        Thread.sleep(500); // the poller's last count is now older than RecentCount's 250 ms
        try {
            say(holder, bot, "hold");
            assertThat(app.holding.await(30, TimeUnit.SECONDS)).isTrue();
            IntStream.range(0, 5).forEach(i -> say(other, bot, "queued" + i));

            Thread.sleep(1_500);
            assertThat(RuntimeHarness.textsSentTo(emulator, bot, other.id()))
                    .as("nothing polled while one update (the limit) is pending").containsExactly("echo: /start");
        } finally {
            app.release.countDown();
        }
        List<String> expected = new ArrayList<>(List.of("echo: /start"));
        IntStream.range(0, 5).forEach(i -> expected.add("echo: queued" + i));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(RuntimeHarness.textsSentTo(emulator, bot, other.id())).containsExactlyElementsOf(expected));
        assertThat(RuntimeHarness.textsSentTo(emulator, bot, holder.id())).containsExactly("echo: /start", "echo: hold");
    }

    @Test
    void webhook_everySharedFixture_isAcceptedAndDispatched() throws Exception {
        RecordingApplication app = new RecordingApplication();
        Map<String, String> env = env("sqlite", "webhook", TOKEN_A);
        start(env, app);
        String url = webhookUrl(env, TOKEN_A);
        String secret = webhookSecret(env, TOKEN_A);
        List<Path> fixtures;
        try (Stream<Path> files = Files.list(fixturesDir())) {
            fixtures = files.filter(path -> path.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(45);
        long updateId = 900_000_000L;
        for (Path fixture : fixtures) {
            ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Files.readString(fixture));
            json.put("update_id", ++updateId);
            assertThat(post(url, secret, Json.text(json)).statusCode()).as(fixture.getFileName().toString())
                    .isEqualTo(200);
        }
        long last = updateId;
        await().atMost(Duration.ofSeconds(30)).until(() -> app.handled.size() == fixtures.size());
        assertThat(app.handled).extracting(dev.telescale.runtime.app.Update::updateId)
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, fixtures.size())
                        .mapToObj(i -> last - fixtures.size() + i).toList());
    }

    private static String webhookUrl(Map<String, String> env, String token) {
        return "http://127.0.0.1:" + env.get("HTTP_PORT") + "/telegram/" + new BotToken(token).webhookKey();
    }

    private static String webhookSecret(Map<String, String> env, String token) {
        return new WebhookSecrets(env.get("WEBHOOK_SECRET")).secretFor(new BotToken(token).botId());
    }

    static Path fixturesDir() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("fixtures/telegram-updates");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no fixtures/telegram-updates above " + System.getProperty("user.dir"));
    }

    private static HttpResponse<String> post(String url, String secret, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                        .header("X-Telegram-Bot-Api-Secret-Token", secret)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

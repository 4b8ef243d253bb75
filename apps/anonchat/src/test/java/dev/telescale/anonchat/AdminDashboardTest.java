package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import dev.telescale.emulator.state.InboxEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The admin dashboard's login and JSON API over HTTP, with the anonymous chat's panel behind it. */
class AdminDashboardTest {
    static final String PASSWORD = "correct horse battery staple";
    @TempDir
    Path dataDir;
    ChatHarness harness;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    void start(Backend backend, String password) {
        AnonChatSettings settings = switch (AnonChatSettings.fromEnvironment(
                Map.of("ANONCHAT_NEW_USER_MEDIA_DELAY", "0s", "ANONCHAT_REPORTS_FOR_PENALTY", "5"), Set.of(ChatHarness.ADMIN))) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> throw new IllegalArgumentException(invalid.problems().toString());
        };
        harness = new ChatHarness(backend, dataDir, settings);
        if (password != null) {
            harness.env.put("ADMIN_PASSWORD", password);
        }
        base = "http://127.0.0.1:" + harness.startInstance().httpPort();
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookie, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType);
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    String logIn() throws IOException, InterruptedException {
        HttpResponse<String> response = post("/admin/login", null, "application/x-www-form-urlencoded",
                "password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(303);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/admin");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return ChatHarness.JSON.readTree(response.body());
    }

    long numberOf(User user) {
        return ((java.util.function.Supplier<Long>) () -> org.jdbi.v3.core.Jdbi.create(harness.runtimes.get(0).database().dataSource())
                .withHandle(h -> h.createQuery("SELECT no FROM ac_users WHERE user_id = :u").bind("u", user.id())
                        .mapTo(Long.class).one())).get();
    }

    @Test
    void withoutAPasswordTheDashboardIsOff() throws Exception {
        start(Backend.SQLITE, null);
        HttpResponse<String> page = get("/admin", null);
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).contains("set ADMIN_PASSWORD");
        assertThat(get("/admin/api/overview", null).statusCode()).isEqualTo(404);
        // the panel's figures still reach /metrics (sampled, so a scrape does not query the database)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(get("/metrics", null).body()).contains("telescale_app_figure{app=\"anonchat\",figure=\"users\"} 0.0")
                        .contains("telescale_app_figure{app=\"anonchat\",figure=\"waiting\"}"));
    }

    @Test
    void onlyTheRightPasswordOpensTheDashboardAndItsApi() throws Exception {
        start(Backend.SQLITE, PASSWORD);
        assertThat(get("/admin", null).body()).contains("id=\"login\"").doesNotContain("Recent reports");
        HttpResponse<String> wrong = post("/admin/login", null, "application/x-www-form-urlencoded", "password=guess-guess-guess");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong password");
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> anonymous = get("/admin/api/overview", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(json(anonymous).path("error").asText()).contains("log in");
        assertThat(get("/admin/api/overview", "telescale_admin=99999999999999.forged").statusCode()).isEqualTo(401);

        String cookie = logIn();
        assertThat(get("/admin", cookie).body()).contains("Recent reports").contains("/admin/assets/dashboard.js");
        assertThat(get("/admin/assets/dashboard.js", null).headers().firstValue("Content-Type").orElseThrow())
                .startsWith("text/javascript");
        HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/overview"))
                .header("Authorization", "Bearer " + PASSWORD).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(200);
        HttpResponse<String> loggedOut = post("/admin/logout", cookie, "application/x-www-form-urlencoded", "");
        assertThat(loggedOut.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("telescale_admin=;")
                .contains("Expires=Thu, 01 Jan 1970");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void countersMoveAndABanFromAReportTakesEffectInTheChat(Backend backend) throws Exception {
        start(backend, PASSWORD);
        String cookie = logIn();
        User[] pair = harness.pair("Rude", "Polite");
        pair[0].text("hello there");
        pair[1].awaitText("hello there");
        JsonNode overview = json(get("/admin/api/overview", cookie));
        assertThat(overview.path("application").asText()).isEqualTo("anonchat");
        assertThat(overview.path("figures").path("users").asInt()).isEqualTo(2);
        assertThat(overview.path("figures").path("in_chat").asInt()).isEqualTo(2);
        assertThat(overview.path("figures").path("online").asInt()).isEqualTo(2);
        double sentBefore = overview.path("live").path("messages_out_total").asDouble();
        assertThat(sentBefore).isPositive();
        assertThat(overview.path("live").path("p99_delivery_ms").asDouble()).isPositive(); // from the latency histogram
        assertThat(overview.path("live").path("queues").has("outbox_conversation")).isTrue();
        assertThat(overview.path("segments").toString()).contains("all", "vip");
        everyMetricOfTheGrafanaDashboardIsExported();

        pair[1].text("/report");
        InboxEvent reasons = pair[1].awaitText("Why do you report");
        String insult = ChatHarness.buttonData(reasons.payload()).stream().filter(d -> d.endsWith(":abuse")).findFirst()
                .orElseGet(() -> ChatHarness.buttonData(reasons.payload()).get(0));
        harness.emulator.sim().press(pair[1].id(), pair[1].bot, 0, reasons.messageId(), insult, null);
        long rude = numberOf(pair[0]);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> json(get("/admin/api/reports", cookie)).size() == 1);
        JsonNode reports = json(get("/admin/api/reports", cookie));
        assertThat(reports.get(0).path("reported").asLong()).isEqualTo(rude);
        assertThat(reports.get(0).path("status").asText()).isEqualTo("open");
        assertThat(reports.get(0).path("reported_banned").asBoolean()).isFalse();
        assertThat(reports.toString()).doesNotContain(Long.toString(pair[0].id())).doesNotContain("rude_handle");

        HttpResponse<String> ban = post("/admin/api/users/" + rude + "/ban", cookie, "application/json",
                "{\"duration\":\"24h\",\"reason\":\"insults\"}");
        assertThat(ban.statusCode()).isEqualTo(200);
        assertThat(json(ban).path("result").asText()).contains("#u" + rude + " is banned until");
        pair[0].awaitText("You cannot search until");
        pair[0].text("/search");
        pair[0].awaitText("You cannot search until");
        JsonNode after = json(get("/admin/api/reports", cookie));
        assertThat(after.get(0).path("status").asText()).isEqualTo("actioned");
        assertThat(after.get(0).path("reported_banned").asBoolean()).isTrue();
        assertThat(json(get("/admin/api/overview", cookie)).path("figures").path("banned").asInt()).isEqualTo(1);
        assertThat(json(get("/admin/api/overview", cookie)).path("live").path("messages_out_total").asDouble())
                .isGreaterThan(sentBefore);

        assertThat(post("/admin/api/users/" + rude + "/unban", cookie, "application/json", "{}").statusCode()).isEqualTo(200);
        pair[0].awaitText("Your ban was lifted");
        HttpResponse<String> again = post("/admin/api/users/" + rude + "/unban", cookie, "application/json", "{}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(json(again).path("error").asText()).isEqualTo("#u" + rude + " is not banned");
    }

    /** docs/grafana/telescale.json must only query metrics that /metrics exports. */
    void everyMetricOfTheGrafanaDashboardIsExported() throws Exception {
        JsonNode grafana = ChatHarness.JSON.readTree(java.nio.file.Files.readString(
                Path.of("..", "..", "docs", "grafana", "telescale.json")));
        java.util.Set<String> queried = new java.util.TreeSet<>();
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("telescale_[a-z0-9_]+");
        for (JsonNode panel : grafana.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                metric.matcher(target.path("expr").asText()).results().forEach(m -> queried.add(m.group()));
            }
        }
        assertThat(queried).hasSizeGreaterThan(8);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() -> {
            String scrape = get("/metrics", null).body();
            for (String name : queried) {
                assertThat(scrape).as("/metrics exports %s", name).containsPattern("(?m)^" + name + "[{ ]");
            }
        });
    }

    @Test
    void badRequestsGetAClearErrorAndChangeNothing() throws Exception {
        start(Backend.SQLITE, PASSWORD);
        String cookie = logIn();
        User user = harness.onboarded("Ann", "ann_x", "en", BOT_A, "f", 22);
        long number = numberOf(user);
        HttpResponse<String> unknown = post("/admin/api/users/999/ban", cookie, "application/json", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).isEqualTo("no user #u999");
        HttpResponse<String> duration = post("/admin/api/users/" + number + "/ban", cookie, "application/json", "{\"duration\":\"soon\"}");
        assertThat(duration.statusCode()).isEqualTo(400);
        assertThat(json(duration).path("error").asText()).startsWith("duration:");
        HttpResponse<String> form = post("/admin/api/users/" + number + "/ban", cookie, "application/x-www-form-urlencoded", "duration=1d");
        assertThat(form.statusCode()).isEqualTo(415);
        HttpResponse<String> broken = post("/admin/api/broadcasts", cookie, "application/json", "{\"text\":");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(json(broken).path("error").asText()).isEqualTo("the body is not valid JSON");
        HttpResponse<String> segment = post("/admin/api/broadcasts", cookie, "application/json", "{\"text\":\"hi\",\"segment\":\"martians\"}");
        assertThat(segment.statusCode()).isEqualTo(400);
        HttpResponse<String> notANumber = post("/admin/api/users/abc/ban", cookie, "application/json", "{}");
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(notANumber.body()).doesNotContain("Exception");
        JsonNode overview = json(get("/admin/api/overview", cookie));
        assertThat(overview.path("figures").path("banned").asInt()).isZero();
        assertThat(json(get("/admin/api/broadcasts", cookie))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aDashboardBroadcastReachesEveryUserOfBothBotsOnceWithProgress(Backend backend) throws Exception {
        start(backend, PASSWORD);
        String cookie = logIn();
        User a = harness.onboarded("Ann", "ann_x", "en", BOT_A, "f", 20);
        User b = harness.onboarded("Ben", "ben_x", "ru", BOT_B, "m", 21);
        User c = harness.onboarded("Cid", "cid_x", "en", BOT_B, "m", 22);
        HttpResponse<String> started = post("/admin/api/broadcasts", cookie, "application/json",
                "{\"text\":\"Maintenance <b>tonight</b> at 22:00\",\"segment\":\"all\"}");
        assertThat(started.statusCode()).isEqualTo(200);
        long id = json(started).path("id").asLong();
        for (User user : new User[]{a, b, c}) {
            user.awaitText("Maintenance <b>tonight</b> at 22:00");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode broadcasts = json(get("/admin/api/broadcasts", cookie));
            assertThat(broadcasts.get(0).path("id").asLong()).isEqualTo(id);
            assertThat(broadcasts.get(0).path("status").asText()).isEqualTo("done");
            assertThat(broadcasts.get(0).path("queued").asLong()).isEqualTo(3);
            assertThat(broadcasts.get(0).path("total").asLong()).isEqualTo(3);
        });
        for (User user : new User[]{a, b, c}) {
            assertThat(user.inbox().stream().filter(e -> e.payload().path("text").asText().startsWith("Maintenance")).count())
                    .isEqualTo(1);
        }
        assertThat(c.bot).isEqualTo(BOT_B);
    }
}

package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.SimUser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact error answers of the Bot API: status, description, headers, over raw HTTP. */
class BotApiErrorsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final String OTHER_TOKEN = "7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Emulator emulator;

    /** A clock the test moves by hand. */
    static final class MutableClock implements InstantSource {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private Emulator start(EmulatorConfig config) {
        emulator = Emulator.start(config);
        return emulator;
    }

    private Emulator start() {
        return start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    // ---- HTTP helpers ----

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return response;
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + pathAndQuery)).GET().build());
    }

    private HttpResponse<String> postJson(String token, String method, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + token + "/" + method))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpResponse<String> call(String method, String json) throws Exception {
        return postJson(TOKEN, method, json);
    }

    private static JsonNode body(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String description) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode json = body(response);
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("error_code").asInt()).isEqualTo(status);
        assertThat(json.path("description").asText()).isEqualTo(description);
    }

    private static JsonNode assertOk(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode json = body(response);
        assertThat(json.path("ok").asBoolean()).isTrue();
        return json.path("result");
    }

    /** A bot with a user who started it; returns the user. */
    private SimUser startedUser(String token) {
        Bot bot = emulator.sim().registerBot(token);
        SimUser user = emulator.sim().createUser("Ada", null, null, "en", false);
        emulator.sim().start(user.id(), bot.id(), null);
        return user;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---- tokens and routing ----

    @Test
    void token_withoutColon_isInvalid() throws Exception {
        start();
        assertError(get("/bot1234567AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"), 401,
                "Unauthorized: invalid token specified");
    }

    @Test
    void token_startingWithZero_isInvalid() throws Exception {
        start();
        assertError(get("/bot01234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"), 401,
                "Unauthorized: invalid token specified");
    }

    @Test
    void token_withEncodedSlash_isInvalid() throws Exception {
        start();
        HttpResponse<String> response = get("/bot1234567:AAHdqTcvCH1vGWJx%2FfSeofSAs0K5PALDsaw/getMe");
        assertError(response, 401, "Unauthorized: invalid token specified");
    }

    @Test
    void token_nonNumericBotId_isMisdirected() throws Exception {
        start();
        assertError(get("/botabc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"), 421,
                "Misdirected Request: unallowed token specified");
    }

    @Test
    void token_shortSecret_isUnauthorized() throws Exception {
        start();
        assertError(get("/bot1234567:short/getMe"), 401, "Unauthorized");
    }

    @Test
    void method_unknown_isMethodNotFound() throws Exception {
        start();
        assertError(get("/bot" + TOKEN + "/fooBar"), 404, "Not Found: method not found");
    }

    @Test
    void path_botTokenWithoutMethod_isNotFound() throws Exception {
        start();
        assertError(get("/bot" + TOKEN), 404, "Not Found");
    }

    @Test
    void path_notUnderBot_isNotFound() throws Exception {
        start();
        assertError(get("/something/else"), 404, "Not Found");
    }

    @Test
    void getMe_upperCaseMethodName_works() throws Exception {
        start();
        JsonNode result = assertOk(get("/bot" + TOKEN + "/GETME"));
        assertThat(result.path("id").asLong()).isEqualTo(1234567L);
        assertThat(result.path("is_bot").asBoolean()).isTrue();
    }

    // ---- argument transports ----

    @Test
    void sendMessage_getQueryString_works() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        JsonNode result = assertOk(get("/bot" + TOKEN + "/sendMessage?chat_id=" + user.id() + "&text=" + enc("hi there")));
        assertThat(result.path("text").asText()).isEqualTo("hi there");
        assertThat(result.path("chat").path("id").asLong()).isEqualTo(user.id());
    }

    @Test
    void sendMessage_formUrlencoded_works() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + TOKEN
                        + "/sendMessage"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("chat_id=" + user.id() + "&text=" + enc("form & text")))
                .build());
        assertThat(assertOk(response).path("text").asText()).isEqualTo("form & text");
    }

    @Test
    void sendMessage_jsonWithNonStringValues_works() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        JsonNode result = assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"json\","
                + "\"disable_notification\":true,"
                + "\"reply_markup\":{\"inline_keyboard\":[[{\"text\":\"A\",\"callback_data\":\"a\"}]]}}"));
        assertThat(result.path("text").asText()).isEqualTo("json");
        assertThat(result.path("reply_markup").path("inline_keyboard").get(0).get(0).path("callback_data").asText())
                .isEqualTo("a");
    }

    @Test
    void sendMessage_multipart_works() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        String boundary = "----telescale" + System.nanoTime();
        String multipart = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"chat_id\"\r\n\r\n" + user.id() + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"text\"\r\n\r\nmultipart text\r\n"
                + "--" + boundary + "--\r\n";
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + TOKEN
                        + "/sendMessage"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build());
        assertThat(assertOk(response).path("text").asText()).isEqualTo("multipart text");
    }

    @Test
    void sendMessage_queryStringAndBody_queryWins() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        HttpResponse<String> response = postJson(TOKEN, "sendMessage?text=" + enc("from query"),
                "{\"chat_id\":" + user.id() + ",\"text\":\"from body\"}");
        assertThat(assertOk(response).path("text").asText()).isEqualTo("from query");
    }

    @Test
    void sendMessage_malformedJsonBody_isNeverServerError() throws Exception {
        start();
        startedUser(TOKEN);
        HttpResponse<String> response = call("sendMessage", "{\"chat_id\": 12, \"text\": ");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).path("ok").asBoolean(true)).isFalse();
        HttpResponse<String> garbage = call("getMe", "\u0000not json at all]]");
        assertThat(garbage.statusCode()).isLessThan(500);
    }

    // ---- sending ----

    @Test
    void sendMessage_unknownChat_isChatNotFound() throws Exception {
        start();
        startedUser(TOKEN);
        assertError(call("sendMessage", "{\"chat_id\":999,\"text\":\"x\"}"), 400, "Bad Request: chat not found");
    }

    @Test
    void sendMessage_emptyText_isTextEmpty() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertError(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"\"}"), 400,
                "Bad Request: message text is empty");
    }

    @Test
    void sendMessage_4097Characters_isTooLong() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertError(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"" + "a".repeat(4097) + "\"}"), 400,
                "Bad Request: message is too long");
        assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"" + "a".repeat(4096) + "\"}"));
    }

    @Test
    void sendMessage_userBlockedBot_isForbidden() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        emulator.sim().setBlocked(user.id(), 1234567L, true);
        assertError(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"x\"}"), 403,
                "Forbidden: bot was blocked by the user");
    }

    @Test
    void sendMessage_userDeactivated_isForbidden() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        emulator.sim().deactivate(user.id());
        assertError(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"x\"}"), 403,
                "Forbidden: user is deactivated");
    }

    @Test
    void sendMessage_userNeverStartedBot_isForbidden() throws Exception {
        start();
        emulator.sim().registerBot(TOKEN);
        SimUser user = emulator.sim().createUser("Bob", null, null, "en", false);
        assertError(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"x\"}"), 403,
                "Forbidden: bot can't initiate conversation with a user");
    }

    // ---- editing and deleting ----

    @Test
    void editMessageText_unknownMessage_isNotFound() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertError(call("editMessageText", "{\"chat_id\":" + user.id() + ",\"message_id\":9999,\"text\":\"x\"}"), 400,
                "Bad Request: message to edit not found");
    }

    @Test
    void editMessageText_sameText_isNotModified() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        int messageId = assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"same\"}"))
                .path("message_id").asInt();
        HttpResponse<String> response = call("editMessageText", "{\"chat_id\":" + user.id() + ",\"message_id\":"
                + messageId + ",\"text\":\"same\"}");
        assertError(response, 400, "Bad Request: message is not modified: specified new message content and reply"
                + " markup are exactly the same as a current content and reply markup of the message");
    }

    @Test
    void deleteMessage_after48Hours_cannotBeDeleted() throws Exception {
        MutableClock clock = new MutableClock();
        start(EmulatorConfig.defaults().withFlood(FloodLimits.off()).withClock(clock));
        SimUser user = startedUser(TOKEN);
        int messageId = assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"old\"}"))
                .path("message_id").asInt();
        clock.advance(Duration.ofHours(49));
        assertError(call("deleteMessage", "{\"chat_id\":" + user.id() + ",\"message_id\":" + messageId + "}"), 400,
                "Bad Request: message can't be deleted");
    }

    @Test
    void deleteMessage_within48Hours_works() throws Exception {
        MutableClock clock = new MutableClock();
        start(EmulatorConfig.defaults().withFlood(FloodLimits.off()).withClock(clock));
        SimUser user = startedUser(TOKEN);
        int messageId = assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"new\"}"))
                .path("message_id").asInt();
        clock.advance(Duration.ofHours(47));
        assertThat(assertOk(call("deleteMessage", "{\"chat_id\":" + user.id() + ",\"message_id\":" + messageId + "}"))
                .asBoolean()).isTrue();
    }

    @Test
    void deleteMessage_unknownMessage_isNotFound() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertError(call("deleteMessage", "{\"chat_id\":" + user.id() + ",\"message_id\":9999}"), 400,
                "Bad Request: message to delete not found");
    }

    // ---- files, copies, actions, callbacks ----

    @Test
    void sendPhoto_fileIdOfAnotherBot_isWrongFileIdentifier() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        ObjectNode content = MAPPER.createObjectNode().put("photo", "cat picture");
        emulator.sim().send(user.id(), 1234567L, 0, content);
        JsonNode updates = assertOk(call("getUpdates", "{}"));
        String fileId = null;
        for (JsonNode update : updates) {
            JsonNode photo = update.path("message").path("photo");
            if (photo.isArray() && !photo.isEmpty()) {
                fileId = photo.get(photo.size() - 1).path("file_id").asText();
            }
        }
        assertThat(fileId).isNotBlank();
        assertOk(call("sendPhoto", "{\"chat_id\":" + user.id() + ",\"photo\":\"" + fileId + "\"}"));

        Bot other = emulator.sim().registerBot(OTHER_TOKEN);
        emulator.sim().start(user.id(), other.id(), null);
        assertError(postJson(OTHER_TOKEN, "sendPhoto", "{\"chat_id\":" + user.id() + ",\"photo\":\"" + fileId + "\"}"),
                400, "Bad Request: wrong file identifier/HTTP URL specified");
    }

    @Test
    void copyMessages_decreasingIds_isRejected() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"one\"}"));
        assertOk(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"two\"}"));
        assertError(call("copyMessages", "{\"chat_id\":" + user.id() + ",\"from_chat_id\":" + user.id()
                + ",\"message_ids\":[3,2]}"), 400, "Bad Request: message identifiers must be in a strictly increasing order");
    }

    @Test
    void sendChatAction_unknownAction_isWrongParameter() throws Exception {
        start();
        SimUser user = startedUser(TOKEN);
        assertError(call("sendChatAction", "{\"chat_id\":" + user.id() + ",\"action\":\"dancing\"}"), 400,
                "Bad Request: wrong parameter action in request");
        assertOk(call("sendChatAction", "{\"chat_id\":" + user.id() + ",\"action\":\"typing\"}"));
    }

    @Test
    void answerCallbackQuery_unknownId_isTooOld() throws Exception {
        start();
        startedUser(TOKEN);
        assertError(call("answerCallbackQuery", "{\"callback_query_id\":\"123456789\"}"), 400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid");
    }

    // ---- webhooks and getUpdates ----

    @Test
    void setWebhook_secretTooLong_isRejected() throws Exception {
        start();
        assertError(call("setWebhook", "{\"url\":\"http://127.0.0.1:9/hook\",\"secret_token\":\"" + "a".repeat(257) + "\"}"),
                400, "Bad Request: secret token is too long");
    }

    @Test
    void setWebhook_secretWithUnallowedCharacters_isRejected() throws Exception {
        start();
        assertError(call("setWebhook", "{\"url\":\"http://127.0.0.1:9/hook\",\"secret_token\":\"not allowed!\"}"),
                400, "Bad Request: secret token contains unallowed characters");
    }

    @Test
    void setWebhook_twice_isAlreadySet() throws Exception {
        start();
        String request = "{\"url\":\"http://127.0.0.1:9/hook\",\"secret_token\":\"s3cret_-X\"}";
        HttpResponse<String> first = call("setWebhook", request);
        assertThat(assertOk(first).asBoolean()).isTrue();
        assertThat(body(first).path("description").asText()).isEqualTo("Webhook was set");
        HttpResponse<String> second = call("setWebhook", request);
        assertThat(assertOk(second).asBoolean()).isTrue();
        assertThat(body(second).path("description").asText()).isEqualTo("Webhook is already set");
    }

    @Test
    void deleteWebhook_twice_isAlreadyDeleted() throws Exception {
        start();
        assertOk(call("setWebhook", "{\"url\":\"http://127.0.0.1:9/hook\"}"));
        HttpResponse<String> first = call("deleteWebhook", "{}");
        assertThat(body(first).path("description").asText()).isEqualTo("Webhook was deleted");
        HttpResponse<String> second = call("deleteWebhook", "{}");
        assertThat(assertOk(second).asBoolean()).isTrue();
        assertThat(body(second).path("description").asText()).isEqualTo("Webhook is already deleted");
    }

    @Test
    void getUpdates_whileWebhookActive_isConflict() throws Exception {
        start();
        assertOk(call("setWebhook", "{\"url\":\"http://127.0.0.1:9/hook\"}"));
        assertError(call("getUpdates", "{}"), 409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }

    @Test
    void getUpdates_twoConcurrentLongPolls_olderIsTerminated() throws Exception {
        start();
        emulator.sim().registerBot(TOKEN);
        CompletableFuture<HttpResponse<String>> older = http.sendAsync(
                HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + TOKEN + "/getUpdates?timeout=10")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        HttpResponse<String> newer = get("/bot" + TOKEN + "/getUpdates?timeout=1");
        HttpResponse<String> olderResponse = older.get();
        assertError(olderResponse, 409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
        assertThat(assertOk(newer)).isEmpty();
    }

    // ---- flood control and faults ----

    @Test
    void sendMessage_floodOneChat_is429WithRetryAfter() throws Exception {
        start(EmulatorConfig.defaults().withFlood(FloodLimits.telegramDefaults()));
        SimUser user = startedUser(TOKEN);
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            responses.add(call("sendMessage", "{\"chat_id\":" + user.id() + ",\"text\":\"m" + i + "\"}"));
        }
        HttpResponse<String> limited = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        JsonNode json = body(limited);
        int retryAfter = json.path("parameters").path("retry_after").asInt();
        assertThat(retryAfter).isPositive();
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("error_code").asInt()).isEqualTo(429);
        assertThat(json.path("description").asText()).isEqualTo("Too Many Requests: retry after " + retryAfter);
        assertThat(limited.headers().firstValue("Retry-After")).contains(Integer.toString(retryAfter));
        assertThat(responses.getFirst().statusCode()).isEqualTo(200);
    }

    @Test
    void anyMethod_badGatewayFault_isNginxHtml502() throws Exception {
        start();
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 0, 1.0, 0, 0, 1, 0));
        HttpResponse<String> response = get("/bot" + TOKEN + "/getMe");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(response.body()).contains("<title>502 Bad Gateway</title>").contains("nginx");
    }

    @Test
    void anyMethod_connectionResetFault_clientSeesIoException() throws Exception {
        start();
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), 0, 0, 1.0, 0, 1, 0));
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/bot" + TOKEN + "/getMe")).build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        emulator.faults().update(FaultSettings.none());
        assertOk(get("/bot" + TOKEN + "/getMe"));
    }
}

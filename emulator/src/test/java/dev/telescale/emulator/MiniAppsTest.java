package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.emulator.sim.WebAppLaunch;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mini Apps: the initData the emulator signs is checked here by an independent implementation of
 * the documented algorithms (core.telegram.org/bots/webapps, "Validating data received via the
 * Mini App" and "for third-party use"), the launch URL, {@code POST /sim/users/{id}/webapp} and
 * its refusals, and answerWebAppQuery.
 */
class MiniAppsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final long BOT_ID = 1234567L;
    private static final String OTHER_TOKEN = "7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsbw";
    private static final long OTHER_BOT_ID = 7654321L;
    private static final String QUERY_INVALID =
            "Bad Request: query is too old and response timeout expired or query ID is invalid";

    /** A clock the test moves by hand. */
    private static final class MutableClock implements InstantSource {
        private volatile Instant now = Instant.parse("2026-03-01T12:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final MutableClock clock = new MutableClock();
    private Emulator emulator;
    private long user;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()).withClock(clock));
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        sim("/sim/bots", "{\"token\":\"" + OTHER_TOKEN + "\"}");
        user = sim("/sim/users", "{\"first_name\":\"Zoë / Ann\",\"last_name\":\"O'Hara & Co\",\"username\":\"zoe_ann\","
                + "\"language_code\":\"en\",\"is_premium\":true}").get("id").asLong();
        sim("/sim/users/" + user + "/start", "{\"bot\":" + BOT_ID + "}");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    // ---- helpers ----

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return response;
    }

    private JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + pathAndQuery))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(pathAndQuery + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private JsonNode sim(String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private static void assertSimError(HttpResponse<String> response, int status, String errorPart) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("error").asText()).contains(errorPart);
    }

    private HttpResponse<String> call(String token, String method, String json) throws Exception {
        return post("/bot" + token + "/" + method, json);
    }

    private JsonNode callOk(String method, String json) throws Exception {
        HttpResponse<String> response = call(TOKEN, method, json);
        assertThat(response.statusCode()).as(method + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).path("result");
    }

    private static void assertError(HttpResponse<String> response, String description) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(MAPPER.readTree(response.body()).path("description").asText()).isEqualTo(description);
    }

    private WebAppLaunch open(String url) {
        return emulator.sim().openWebApp(user, BOT_ID, url, Optional.empty());
    }

    /** A bot message with a web_app button (and a callback button); its message_id. */
    private int messageWithWebAppButton() throws Exception {
        return callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Shop\",\"reply_markup\":{\"inline_keyboard\":"
                + "[[{\"text\":\"Open shop\",\"web_app\":{\"url\":\"https://shop.example.com/app\"}},"
                + "{\"text\":\"Cart\",\"web_app\":{\"url\":\"https://shop.example.com/cart\"}}],"
                + "[{\"text\":\"Help\",\"callback_data\":\"help\"}]]}}").path("message_id").asInt();
    }

    // ---- an independent implementation of the documented checks ----

    /** The fields of a query string, decoded, in order. */
    private static Map<String, String> fields(String query) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static String sortedLines(Map<String, String> fields, String... without) {
        Map<String, String> sorted = new TreeMap<>(fields);
        for (String key : without) {
            sorted.remove(key);
        }
        StringBuilder lines = new StringBuilder();
        sorted.forEach((key, value) -> lines.append(lines.isEmpty() ? "" : "\n").append(key).append('=').append(value));
        return lines.toString();
    }

    private static byte[] hmacSha256(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }

    /** Telegram's check with a given secret key: hex(HMAC-SHA256(secret, data-check-string)) equals hash. */
    private static boolean hashMatches(String initData, byte[] secretKey) throws Exception {
        Map<String, String> fields = fields(initData);
        byte[] expected = hmacSha256(secretKey, sortedLines(fields, "hash").getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII),
                fields.get("hash").getBytes(StandardCharsets.US_ASCII));
    }

    /** The Mini App check: secret_key = HMAC-SHA256(key = "WebAppData", message = bot token). */
    private static boolean validWebAppData(String initData, String botToken) throws Exception {
        return hashMatches(initData, hmacSha256("WebAppData".getBytes(StandardCharsets.UTF_8),
                botToken.getBytes(StandardCharsets.UTF_8)));
    }

    /** The third-party check: Ed25519 over "<bot_id>:WebAppData\n" + the fields without hash and signature. */
    private static boolean validSignature(String initData, long botId, String publicKeyHex) throws Exception {
        Map<String, String> fields = fields(initData);
        byte[] x509 = HexFormat.of().parseHex("302a300506032b6570032100" + publicKeyHex);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update((botId + ":WebAppData\n" + sortedLines(fields, "hash", "signature"))
                .getBytes(StandardCharsets.UTF_8));
        return verifier.verify(Base64.getUrlDecoder().decode(fields.get("signature")));
    }

    // ---- initData ----

    @Test
    void initData_fromTheEmulator_verifiesWithTheDocumentedAlgorithm() throws Exception {
        WebAppLaunch launch = open("https://shop.example.com/app");

        assertThat(validWebAppData(launch.initData(), TOKEN)).isTrue();
        Map<String, String> fields = fields(launch.initData());
        assertThat(fields.keySet()).containsExactly("query_id", "user", "auth_date", "signature", "hash");
        assertThat(fields.get("query_id")).matches("[A-Za-z0-9_-]{24}").isEqualTo(launch.queryId());
        assertThat(fields.get("auth_date")).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        assertThat(fields.get("hash")).matches("[0-9a-f]{64}");
        JsonNode webAppUser = MAPPER.readTree(fields.get("user"));
        assertThat(webAppUser.toString()).isEqualTo("{\"id\":" + user + ",\"first_name\":\"Zoë / Ann\","
                + "\"last_name\":\"O'Hara & Co\",\"username\":\"zoe_ann\",\"language_code\":\"en\",\"is_premium\":true,"
                + "\"allows_write_to_pm\":true}");
        // as Telegram writes it: slashes escaped in the JSON, values percent-encoded (a space is %20)
        assertThat(fields.get("user")).contains("Zoë \\/ Ann");
        assertThat(launch.initData()).doesNotContain("+").contains("%20").contains("%26")
                .startsWith("query_id=" + launch.queryId() + "&user=%7B%22id%22%3A" + user + "%2C");
    }

    @Test
    void initData_checkedWithAnotherBotsTokenOrTheLoginWidgetKey_doesNotVerify() throws Exception {
        String initData = open("https://shop.example.com/app").initData();

        assertThat(validWebAppData(initData, OTHER_TOKEN)).isFalse();
        byte[] loginWidgetKey = MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8));
        assertThat(hashMatches(initData, loginWidgetKey)).isFalse();
        String tampered = initData.replace("auth_date=", "auth_date=1");
        assertThat(validWebAppData(tampered, TOKEN)).isFalse();
    }

    @Test
    void initData_signature_verifiesWithThePublishedPublicKeyAndTheBotId() throws Exception {
        JsonNode published = get("/sim/webapp/public-key");
        String publicKey = published.path("public_key").asText();
        assertThat(publicKey).matches("[0-9a-f]{64}").isEqualTo(emulator.sim().webAppPublicKey());
        assertThat(published.path("algorithm").asText()).isEqualTo("Ed25519");

        String initData = open("https://shop.example.com/app").initData();

        assertThat(fields(initData).get("signature")).matches("[A-Za-z0-9_-]{86}");
        assertThat(validSignature(initData, BOT_ID, publicKey)).isTrue();
        assertThat(validSignature(initData, OTHER_BOT_ID, publicKey)).isFalse();
        assertThat(validSignature(initData.replace("auth_date=", "auth_date=1"), BOT_ID, publicKey)).isFalse();
    }

    @Test
    void initData_everyLaunch_isANewSessionAtTheClocksTime() throws Exception {
        WebAppLaunch first = open("https://shop.example.com/app");
        clock.advance(Duration.ofSeconds(7));
        WebAppLaunch second = open("https://shop.example.com/app");

        assertThat(second.queryId()).isNotEqualTo(first.queryId());
        assertThat(second.initData()).isNotEqualTo(first.initData());
        assertThat(Long.parseLong(fields(second.initData()).get("auth_date")))
                .isEqualTo(Long.parseLong(fields(first.initData()).get("auth_date")) + 7);
        assertThat(validWebAppData(second.initData(), TOKEN)).isTrue();
    }

    @Test
    void initData_withStartParam_carriesItSigned() throws Exception {
        WebAppLaunch launch = emulator.sim().openWebApp(user, BOT_ID, "https://shop.example.com/app",
                Optional.of("ref_42-x"));

        assertThat(fields(launch.initData())).containsEntry("start_param", "ref_42-x");
        assertThat(validWebAppData(launch.initData(), TOKEN)).isTrue();
        assertThat(validSignature(launch.initData(), BOT_ID, emulator.sim().webAppPublicKey())).isTrue();
    }

    // ---- the launch URL ----

    @Test
    void launchUrl_carriesInitDataAndTheClientParametersInTheFragment() throws Exception {
        WebAppLaunch launch = open("https://shop.example.com/app?lang=en");

        assertThat(launch.url()).isEqualTo("https://shop.example.com/app?lang=en");
        assertThat(launch.launchUrl()).startsWith("https://shop.example.com/app?lang=en#tgWebAppData=");
        Map<String, String> hash = fields(launch.launchUrl().substring(launch.launchUrl().indexOf('#') + 1));
        assertThat(hash.keySet()).containsExactly("tgWebAppData", "tgWebAppVersion", "tgWebAppPlatform",
                "tgWebAppThemeParams");
        assertThat(hash.get("tgWebAppData")).isEqualTo(launch.initData());
        assertThat(hash.get("tgWebAppVersion")).isEqualTo("8.0");
        assertThat(hash.get("tgWebAppPlatform")).isEqualTo("web");
        assertThat(MAPPER.readTree(hash.get("tgWebAppThemeParams")).path("bg_color").asText()).isEqualTo("#ffffff");
    }

    @Test
    void launchUrl_ofAUrlWithAFragment_keepsItAndAppendsTheParametersAfterIt() {
        assertThat(open("https://shop.example.com/#/cart").launchUrl())
                .startsWith("https://shop.example.com/#/cart?tgWebAppData=query_id%3D");
        assertThat(open("http://localhost:5173/#/cart?step=2").launchUrl())
                .startsWith("http://localhost:5173/#/cart?step=2&tgWebAppData=");
    }

    // ---- POST /sim/users/{id}/webapp ----

    @Test
    void webapp_fromAMessagesButton_namesTheChatAsItsCallbackQueriesDo() throws Exception {
        int messageId = messageWithWebAppButton();

        JsonNode opened = sim("/sim/users/" + user + "/webapp", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId
                + ",\"text\":\"Cart\"}");

        assertThat(opened.path("url").asText()).isEqualTo("https://shop.example.com/cart");
        assertThat(opened.path("launch_url").asText()).startsWith("https://shop.example.com/cart#tgWebAppData=");
        String initData = opened.path("init_data").asText();
        assertThat(validWebAppData(initData, TOKEN)).isTrue();
        Map<String, String> fields = fields(initData);
        assertThat(fields.get("query_id")).isEqualTo(opened.path("query_id").asText());
        assertThat(fields.get("chat_type")).isEqualTo("sender");
        String pressed = sim("/sim/users/" + user + "/press", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId
                + ",\"data\":\"help\"}").path("query_id").asText();
        JsonNode updates = callOk("getUpdates", "{\"offset\":0}");
        JsonNode callback = updates.get(updates.size() - 1).path("callback_query");
        assertThat(callback.path("id").asText()).isEqualTo(pressed);
        assertThat(fields.get("chat_instance")).isEqualTo(callback.path("chat_instance").asText());
    }

    @Test
    void webapp_fromAMessageWithoutChoice_opensItsFirstWebAppButton() throws Exception {
        int messageId = messageWithWebAppButton();

        JsonNode opened = sim("/sim/users/" + user + "/webapp", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId
                + ",\"start_param\":\"promo\"}");

        assertThat(opened.path("url").asText()).isEqualTo("https://shop.example.com/app");
        assertThat(fields(opened.path("init_data").asText())).containsEntry("start_param", "promo");
    }

    @Test
    void webapp_byUrl_opensItAsADirectLink() throws Exception {
        JsonNode opened = sim("/sim/users/" + user + "/webapp", "{\"bot\":" + BOT_ID
                + ",\"url\":\"http://127.0.0.1:8088/miniapp\"}");

        assertThat(opened.path("launch_url").asText()).startsWith("http://127.0.0.1:8088/miniapp#tgWebAppData=");
        assertThat(fields(opened.path("init_data").asText())).doesNotContainKeys("chat_type", "chat_instance");
    }

    @Test
    void webapp_refusals_areClearAndNeverStackTraces() throws Exception {
        int messageId = messageWithWebAppButton();
        int plain = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"no buttons\"}").path("message_id").asInt();
        String path = "/sim/users/" + user + "/webapp";

        assertSimError(post("/sim/users/999999/webapp", "{\"bot\":" + BOT_ID + ",\"url\":\"https://a.example.com\"}"),
                404, "no simulated user 999999");
        assertSimError(post(path, "{\"bot\":555,\"url\":\"https://a.example.com\"}"), 404, "no bot 555");
        assertSimError(post(path, "{\"url\":\"https://a.example.com\"}"), 400, "bot (the bot's id) is required");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + "}"), 400, "url (the Mini App's URL) is required");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"url\":\"http://shop.example.com\"}"), 400,
                "is not a Mini App URL: Only HTTPS links are allowed");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"message_id\":9999}"), 400, "no bot message 9999");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"message_id\":" + plain + "}"), 400,
                "message " + plain + " has no web_app button");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId
                        + ",\"url\":\"https://evil.example.com/\"}"), 400,
                "has no web_app button with url https://evil.example.com/");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId + ",\"text\":\"Nope\"}"), 400,
                "has no web_app button with text Nope");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"url\":\"https://a.example.com\",\"start_param\":\"a b\"}"),
                400, "start_param must be");
    }

    @Test
    void menuButton_ofTheUser_isTheChatsElseTheBotsElseCommands() throws Exception {
        String path = "/sim/users/" + user + "/menu-button?bot=" + BOT_ID;
        assertThat(get(path).toString()).isEqualTo("{\"type\":\"commands\"}");

        callOk("setChatMenuButton", "{\"menu_button\":{\"type\":\"web_app\",\"text\":\"Shop\","
                + "\"web_app\":{\"url\":\"https://shop.example.com/\"}}}");
        assertThat(get(path).path("web_app").path("url").asText()).isEqualTo("https://shop.example.com/");

        callOk("setChatMenuButton", "{\"chat_id\":" + user + ",\"menu_button\":{\"type\":\"commands\"}}");
        assertThat(get(path).toString()).isEqualTo("{\"type\":\"commands\"}");
    }

    // ---- answerWebAppQuery ----

    @Test
    void answerWebAppQuery_article_sendsItsTextFromTheUserViaTheBot() throws Exception {
        String queryId = open("https://shop.example.com/app").queryId();

        JsonNode sent = callOk("answerWebAppQuery", "{\"web_app_query_id\":\"" + queryId + "\",\"result\":{"
                + "\"type\":\"article\",\"id\":\"1\",\"title\":\"Order\",\"input_message_content\":{"
                + "\"message_text\":\"<b>Order</b> #42 placed\",\"parse_mode\":\"HTML\"}}}");

        assertThat(sent.toString()).isEqualTo("{}");
        JsonNode inbox = get("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        JsonNode event = inbox.get(inbox.size() - 1);
        assertThat(event.path("event").asText()).isEqualTo("message");
        assertThat(event.path("text").asText()).isEqualTo("Order #42 placed");
        JsonNode message = event.path("message");
        assertThat(message.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(message.path("via_bot").path("id").asLong()).isEqualTo(BOT_ID);
        assertThat(message.path("entities").get(0).path("type").asText()).isEqualTo("bold");
    }

    @Test
    void answerWebAppQuery_withAnInlineKeyboard_returnsAnInlineMessageId() throws Exception {
        String queryId = open("https://shop.example.com/app").queryId();

        JsonNode sent = callOk("answerWebAppQuery", "{\"web_app_query_id\":\"" + queryId + "\",\"result\":{"
                + "\"type\":\"article\",\"id\":\"1\",\"title\":\"Order\",\"message_text\":\"Track it\","
                + "\"reply_markup\":{\"inline_keyboard\":[[{\"text\":\"Track\",\"url\":\"https://shop.example.com/t\"}]]}}}");

        assertThat(sent.path("inline_message_id").asText()).isNotEmpty();
    }

    @Test
    void answerWebAppQuery_answeredTwiceOrUnknownOrAnotherBots_isTooOldOrInvalid() throws Exception {
        String queryId = open("https://shop.example.com/app").queryId();
        String result = ",\"result\":{\"type\":\"article\",\"id\":\"1\",\"title\":\"T\",\"message_text\":\"x\"}}";

        assertError(call(OTHER_TOKEN, "answerWebAppQuery", "{\"web_app_query_id\":\"" + queryId + "\"" + result),
                QUERY_INVALID);
        callOk("answerWebAppQuery", "{\"web_app_query_id\":\"" + queryId + "\"" + result);
        assertError(call(TOKEN, "answerWebAppQuery", "{\"web_app_query_id\":\"" + queryId + "\"" + result),
                QUERY_INVALID);
        assertError(call(TOKEN, "answerWebAppQuery", "{\"web_app_query_id\":\"AAHdF6IQAAAAAN0XohDhrOrc\"" + result),
                QUERY_INVALID);
    }

    @Test
    void answerWebAppQuery_badResults_areRefusedBeforeTheQueryIsUsed() throws Exception {
        String queryId = open("https://shop.example.com/app").queryId();
        String prefix = "{\"web_app_query_id\":\"" + queryId + "\"";

        assertError(call(TOKEN, "answerWebAppQuery", prefix + "}"), "Bad Request: result isn't specified");
        assertError(call(TOKEN, "answerWebAppQuery", prefix + ",\"result\":[1]}"),
                "Bad Request: inline query result must be an object");
        assertError(call(TOKEN, "answerWebAppQuery", prefix + ",\"result\":{\"id\":\"1\"}}"),
                "Bad Request: can't find field \"type\"");
        assertError(call(TOKEN, "answerWebAppQuery", prefix + ",\"result\":{\"type\":\"article\",\"id\":\"1\","
                + "\"message_text\":\"x\"}}"), "Bad Request: can't find field \"title\"");
        assertError(call(TOKEN, "answerWebAppQuery", prefix + ",\"result\":{\"type\":\"article\",\"id\":\"1\","
                + "\"title\":\"T\"}}"), "Bad Request: can't find field \"message_text\"");
        assertError(call(TOKEN, "answerWebAppQuery", prefix + ",\"result\":{\"type\":\"bogus\",\"id\":\"1\"}}"),
                "Bad Request: type \"bogus\" is unsupported for the inline query result");

        callOk("answerWebAppQuery", prefix + ",\"result\":{\"type\":\"photo\",\"id\":\"1\",\"photo_url\":"
                + "\"https://a.example.com/p.jpg\",\"input_message_content\":{\"message_text\":\"Bought\"}}}");
    }
}

package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Web App buttons and the menu button over the Bot API, with the real server's refusals: inline
 * and reply-keyboard {@code web_app} buttons (HTTPS only, private chats only; http://localhost and
 * http://127.0.0.1 allowed as a documented deviation), setChatMenuButton and getChatMenuButton.
 */
class WebAppButtonsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final long BOT_ID = 1234567L;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Emulator emulator;
    private long user;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        user = sim("/sim/users", "{\"first_name\":\"Ann\"}").get("id").asLong();
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

    private JsonNode sim(String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private HttpResponse<String> call(String method, String json) throws Exception {
        return post("/bot" + TOKEN + "/" + method, json);
    }

    private JsonNode callOk(String method, String json) throws Exception {
        HttpResponse<String> response = call(method, json);
        assertThat(response.statusCode()).as(method + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).path("result");
    }

    private static void assertError(HttpResponse<String> response, String description) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("error_code").asInt()).isEqualTo(400);
        assertThat(json.path("description").asText()).isEqualTo(description);
    }

    private static String inlineWebApp(String url) {
        return "{\"inline_keyboard\":[[{\"text\":\"Open\",\"web_app\":{\"url\":\"" + url + "\"}}]]}";
    }

    private static String keyboardWebApp(String url) {
        return "{\"keyboard\":[[{\"text\":\"Shop\",\"web_app\":{\"url\":\"" + url + "\"}}]]}";
    }

    private HttpResponse<String> sendWithMarkup(long chat, String markup) throws Exception {
        return call("sendMessage", "{\"chat_id\":" + chat + ",\"text\":\"hi\",\"reply_markup\":" + markup + "}");
    }

    private long group() throws Exception {
        return sim("/sim/groups", "{\"title\":\"Club\",\"type\":\"supergroup\",\"members\":{\"" + user
                + "\":\"member\",\"" + BOT_ID + "\":\"member\"}}").get("id").asLong();
    }

    private JsonNode inbox() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl()
                + "/sim/users/" + user + "/inbox?bot=" + BOT_ID)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(response.body());
    }

    // ---- inline keyboard web_app buttons ----

    @Test
    void sendMessage_inlineWebAppButtonWithHttpsUrl_isAcceptedAndEchoed() throws Exception {
        JsonNode message = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Shop\",\"reply_markup\":"
                + inlineWebApp("https://shop.example.com/app?x=1") + "}");

        JsonNode button = message.path("reply_markup").path("inline_keyboard").get(0).get(0);
        assertThat(button.path("text").asText()).isEqualTo("Open");
        assertThat(button.path("web_app").path("url").asText()).isEqualTo("https://shop.example.com/app?x=1");
    }

    @Test
    void sendMessage_inlineWebAppButtonWithPlainHttpUrl_isRefusedWithTheRealDescription() throws Exception {
        assertError(sendWithMarkup(user, inlineWebApp("http://shop.example.com/app")),
                "Bad Request: inline keyboard button Web App URL 'http://shop.example.com/app' is invalid: "
                        + "Only HTTPS links are allowed");
        assertThat(inbox()).isEmpty();
    }

    @Test
    void sendMessage_inlineWebAppButtonOnLocalhost_isAcceptedAsADocumentedDeviation() throws Exception {
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"a\",\"reply_markup\":"
                + inlineWebApp("http://localhost:8080/app") + "}");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"b\",\"reply_markup\":"
                + inlineWebApp("http://127.0.0.1:3000/") + "}");

        assertThat(inbox()).hasSize(2);
    }

    @Test
    void sendMessage_inlineWebAppButtonWithoutDotInHostOrWithOtherScheme_isRefused() throws Exception {
        assertError(sendWithMarkup(user, inlineWebApp("https://intranet/app")),
                "Bad Request: inline keyboard button Web App URL 'https://intranet/app' is invalid: Wrong HTTP URL");
        assertError(sendWithMarkup(user, inlineWebApp("ftp://files.example.com/app")),
                "Bad Request: inline keyboard button Web App URL 'ftp://files.example.com/app' is invalid: "
                        + "Unsupported URL protocol");
        assertError(sendWithMarkup(user, inlineWebApp("tg://resolve?domain=shop")),
                "Bad Request: inline keyboard button Web App URL 'tg://resolve?domain=shop' is invalid: "
                        + "Only HTTPS links are allowed");
    }

    @Test
    void sendMessage_inlineWebAppButtonOfWrongShape_isRefusedByTheParser() throws Exception {
        assertError(sendWithMarkup(user, "{\"inline_keyboard\":[[{\"text\":\"Open\",\"web_app\":\"https://a.b\"}]]}"),
                "Bad Request: can't parse inline keyboard button: Field \"web_app\" must be of type Object");
        assertError(sendWithMarkup(user, "{\"inline_keyboard\":[[{\"text\":\"Open\",\"web_app\":{}}]]}"),
                "Bad Request: can't parse inline keyboard button: Can't find field \"url\"");
        assertError(sendWithMarkup(user, "{\"inline_keyboard\":[[{\"text\":\"Open\",\"web_app\":{\"url\":1}}]]}"),
                "Bad Request: can't parse inline keyboard button: Field \"url\" must be of type String");
    }

    @Test
    void sendMessage_inlineWebAppButtonInAGroup_isButtonTypeInvalid() throws Exception {
        long group = group();

        assertError(sendWithMarkup(group, inlineWebApp("https://shop.example.com/app")),
                "Bad Request: BUTTON_TYPE_INVALID");
        // the URL is checked before the chat
        assertError(sendWithMarkup(group, inlineWebApp("http://shop.example.com/app")),
                "Bad Request: inline keyboard button Web App URL 'http://shop.example.com/app' is invalid: "
                        + "Only HTTPS links are allowed");
    }

    @Test
    void editMessageReplyMarkup_addingAPlainHttpWebAppButton_isRefused() throws Exception {
        int id = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Shop\"}").path("message_id").asInt();

        assertError(call("editMessageReplyMarkup", "{\"chat_id\":" + user + ",\"message_id\":" + id
                        + ",\"reply_markup\":" + inlineWebApp("http://shop.example.com") + "}"),
                "Bad Request: inline keyboard button Web App URL 'http://shop.example.com' is invalid: "
                        + "Only HTTPS links are allowed");
        JsonNode edited = callOk("editMessageReplyMarkup", "{\"chat_id\":" + user + ",\"message_id\":" + id
                + ",\"reply_markup\":" + inlineWebApp("https://shop.example.com") + "}");
        assertThat(edited.path("reply_markup").path("inline_keyboard").get(0).get(0).path("web_app").path("url")
                .asText()).isEqualTo("https://shop.example.com");
    }

    // ---- reply keyboard web_app buttons ----

    @Test
    void sendMessage_replyKeyboardWebAppButtonInAPrivateChat_isShownWithItsUrl() throws Exception {
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Shop\",\"reply_markup\":"
                + keyboardWebApp("https://shop.example.com/") + "}");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl()
                + "/sim/users/" + user + "/keyboard?bot=" + BOT_ID)).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode key = MAPPER.readTree(response.body()).path("keyboard").get(0).get(0);
        assertThat(key.path("text").asText()).isEqualTo("Shop");
        assertThat(key.path("web_app").path("url").asText()).isEqualTo("https://shop.example.com/");
    }

    @Test
    void sendMessage_replyKeyboardWebAppButtonInAGroup_isForPrivateChatsOnly() throws Exception {
        long group = group();

        // TDLib checks the chat before the URL for keyboard buttons
        assertError(sendWithMarkup(group, keyboardWebApp("http://shop.example.com/")),
                "Bad Request: web App buttons can be used in private chats only");
    }

    @Test
    void sendMessage_replyKeyboardWebAppButtonWithPlainHttpUrl_isRefused() throws Exception {
        assertError(sendWithMarkup(user, keyboardWebApp("http://shop.example.com/")),
                "Bad Request: keyboard button Web App URL 'http://shop.example.com/' is invalid: "
                        + "Only HTTPS links are allowed");
        assertError(sendWithMarkup(user, "{\"keyboard\":[[{\"text\":\"Shop\",\"web_app\":[]}]]}"),
                "Bad Request: can't parse keyboard button: Field \"web_app\" must be of type Object");
    }

    @Test
    void sendMessage_replyKeyboardRequestContactButtonWithWebApp_isAContactButton() throws Exception {
        // the server reads request_contact before web_app: the web_app field of such a button is ignored
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Phone\",\"reply_markup\":{\"keyboard\":[[{"
                + "\"text\":\"Share\",\"request_contact\":true,\"web_app\":{\"url\":\"http://shop.example.com\"}}]]}}");
    }

    // ---- menu button ----

    @Test
    void getChatMenuButton_neverSet_isDefault() throws Exception {
        assertThat(callOk("getChatMenuButton", "{}").toString()).isEqualTo("{\"type\":\"default\"}");
        assertThat(callOk("getChatMenuButton", "{\"chat_id\":" + user + "}").toString())
                .isEqualTo("{\"type\":\"default\"}");
    }

    @Test
    void setChatMenuButton_botWideWebApp_isReturnedForTheBotAndLeavesChatsAtDefault() throws Exception {
        JsonNode ok = callOk("setChatMenuButton", "{\"menu_button\":{\"type\":\"web_app\",\"text\":\"Shop\","
                + "\"web_app\":{\"url\":\"https://shop.example.com/\"}}}");

        assertThat(ok.asBoolean()).isTrue();
        assertThat(callOk("getChatMenuButton", "{}").toString()).isEqualTo(
                "{\"type\":\"web_app\",\"text\":\"Shop\",\"web_app\":{\"url\":\"https://shop.example.com/\"}}");
        assertThat(callOk("getChatMenuButton", "{\"chat_id\":" + user + "}").path("type").asText())
                .isEqualTo("default");
    }

    @Test
    void setChatMenuButton_perChat_overridesAndDefaultClearsIt() throws Exception {
        callOk("setChatMenuButton", "{\"chat_id\":" + user + ",\"menu_button\":{\"type\":\"commands\"}}");
        assertThat(callOk("getChatMenuButton", "{\"chat_id\":" + user + "}").toString())
                .isEqualTo("{\"type\":\"commands\"}");

        callOk("setChatMenuButton", "{\"chat_id\":" + user + "}");
        assertThat(callOk("getChatMenuButton", "{\"chat_id\":" + user + "}").toString())
                .isEqualTo("{\"type\":\"default\"}");
    }

    @Test
    void setChatMenuButton_webAppWithPlainHttpUrl_isRefused() throws Exception {
        assertError(call("setChatMenuButton", "{\"menu_button\":{\"type\":\"web_app\",\"text\":\"Shop\","
                        + "\"web_app\":{\"url\":\"http://shop.example.com/\"}}}"),
                "Bad Request: menu button Web App URL 'http://shop.example.com/' is invalid: "
                        + "Only HTTPS links are allowed");
        assertError(call("setChatMenuButton", "{\"menu_button\":{\"type\":\"web_app\",\"text\":\"\","
                        + "\"web_app\":{\"url\":\"https://shop.example.com/\"}}}"),
                "Bad Request: menu button text must be non-empty");
        assertThat(callOk("getChatMenuButton", "{}").path("type").asText()).isEqualTo("default");
    }

    @Test
    void setChatMenuButton_malformedButtonsAndChats_areRefusedWithTheParserWords() throws Exception {
        assertError(call("setChatMenuButton", "{\"menu_button\":\"{oops\"}"),
                "Bad Request: can't parse menu button JSON object");
        assertError(call("setChatMenuButton", "{\"menu_button\":[1]}"),
                "Bad Request: can't parse menu button: MenuButton must be an Object");
        assertError(call("setChatMenuButton", "{\"menu_button\":{\"text\":\"x\"}}"),
                "Bad Request: can't parse menu button: Can't find field \"type\"");
        assertError(call("setChatMenuButton", "{\"menu_button\":{\"type\":\"link\"}}"),
                "Bad Request: can't parse menu button: MenuButton has unsupported type");
        assertError(call("setChatMenuButton", "{\"menu_button\":{\"type\":\"web_app\",\"text\":\"Shop\"}}"),
                "Bad Request: can't parse menu button: Can't find field \"web_app\"");
        assertError(call("setChatMenuButton", "{\"chat_id\":-100123,\"menu_button\":{\"type\":\"commands\"}}"),
                "Bad Request: invalid chat_id specified");
        assertError(call("getChatMenuButton", "{\"chat_id\":987654321}"), "Bad Request: user not found");
    }
}

package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the browser sandbox needs from the /sim API, over raw HTTP: the bot list, files by a bot's
 * file_id, the reply keyboard a bot last set in a chat (whatever sending method set it), and the
 * data a keyboard Mini App sends back.
 */
class SimRoutesSandboxTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "1000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo01";
    private static final long BOT_ID = 1000001L;
    private static final String OTHER_TOKEN = "1000002:DEMOdemoDEMOdemoDEMOdemoDEMOdemo02";
    private static final long OTHER_BOT_ID = 1000002L;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Emulator emulator;
    private long offset;

    private void start() {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    // ---- HTTP helpers ----

    private HttpResponse<byte[]> getBytes(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + pathAndQuery))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return response;
    }

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

    private JsonNode simGet(String pathAndQuery) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(pathAndQuery + " -> " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return MAPPER.readTree(response.body());
    }

    private static void assertSimError(HttpResponse<String> response, int status, String errorPart) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode json = MAPPER.readTree(response.body());
        assertThat(json.path("ok").isBoolean()).isTrue();
        assertThat(json.path("ok").asBoolean()).isFalse();
        assertThat(json.path("error").asText()).contains(errorPart);
    }

    /** A Bot API call of the first bot that must succeed; its result. */
    private JsonNode callOk(String method, String json) throws Exception {
        return callOk(TOKEN, method, json);
    }

    private JsonNode callOk(String token, String method, String json) throws Exception {
        HttpResponse<String> response = post("/bot" + token + "/" + method, json);
        assertThat(response.statusCode()).as(method + " -> " + response.body()).isEqualTo(200);
        return MAPPER.readTree(response.body()).path("result");
    }

    private List<JsonNode> poll() throws Exception {
        JsonNode result = callOk("getUpdates", "{\"offset\":" + offset + ",\"timeout\":0}");
        List<JsonNode> updates = new ArrayList<>();
        result.forEach(updates::add);
        if (!updates.isEmpty()) {
            offset = updates.getLast().get("update_id").asLong() + 1;
        }
        return updates;
    }

    /** A user who started the first bot (registered over /sim/bots); the /start update is consumed. */
    private long startedUser(String name) throws Exception {
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        long user = sim("/sim/users", "{\"first_name\":\"" + name + "\"}").get("id").asLong();
        sim("/sim/users/" + user + "/start", "{\"bot\":" + BOT_ID + "}");
        poll();
        return user;
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.CYAN);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The first bot's file_id of a photo the user sends it. */
    private String photoFileId(long user) throws Exception {
        sim("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"photo\":\"cat\"}");
        JsonNode sizes = poll().getFirst().path("message").path("photo");
        return sizes.get(sizes.size() - 1).path("file_id").asText();
    }

    private JsonNode keyboard(long user) throws Exception {
        return simGet("/sim/users/" + user + "/keyboard?bot=" + BOT_ID);
    }

    // ---- GET /sim/bots ----

    @Test
    void bots_listedInRegistrationOrder() throws Exception {
        start();
        assertThat(simGet("/sim/bots")).isEmpty();
        sim("/sim/bots", "{\"token\":\"" + OTHER_TOKEN + "\"}");
        callOk("getMe", "{}"); // the first bot registers itself with its first call
        sim("/sim/bots", "{\"token\":\"" + OTHER_TOKEN + "\"}"); // registering again changes nothing

        JsonNode bots = simGet("/sim/bots");
        assertThat(bots).hasSize(2);
        assertThat(bots.get(0).path("id").asLong()).isEqualTo(OTHER_BOT_ID);
        assertThat(bots.get(0).path("username").asText()).isEqualTo("emulated_1000002_bot");
        assertThat(bots.get(0).path("first_name").asText()).isEqualTo("Bot 1000002");
        assertThat(bots.get(1).path("id").asLong()).isEqualTo(BOT_ID);
        JsonNode me = callOk("getMe", "{}");
        assertThat(bots.get(1).path("username").asText()).isEqualTo(me.path("username").asText());
        assertThat(bots.get(1).path("first_name").asText()).isEqualTo(me.path("first_name").asText());
    }

    // ---- GET /sim/files/{file_id} ----

    @Test
    void file_aPhotoTheUserReceived_isServedWithItsTypeAndCaching() throws Exception {
        start();
        long user = startedUser("Ann");
        byte[] picture = png(64, 48);
        sim("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"photo\":\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(picture) + "\"}");
        JsonNode sizes = poll().getFirst().path("message").path("photo");
        String botFileId = sizes.get(sizes.size() - 1).path("file_id").asText();
        callOk("sendPhoto", "{\"chat_id\":" + user + ",\"photo\":\"" + botFileId + "\"}");

        JsonNode received = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID).get(0);
        assertThat(received.path("kind").asText()).isEqualTo("photo");
        HttpResponse<byte[]> file = getBytes("/sim/files/" + received.path("file_id").asText() + "?bot=" + BOT_ID);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type").orElse("")).isEqualTo("image/jpeg");
        assertThat(file.headers().firstValue("Cache-Control").orElse("")).isEqualTo("private, max-age=3600");
        assertThat(file.body()).isEqualTo(picture);
    }

    @Test
    void file_ofUnknownType_isOctetStream() throws Exception {
        start();
        long user = startedUser("Ann");
        sim("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"document\":\"notes\"}");
        String fileId = poll().getFirst().path("message").path("document").path("file_id").asText();

        HttpResponse<byte[]> file = getBytes("/sim/files/" + fileId + "?bot=" + BOT_ID);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/octet-stream");
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo("document:notes");
    }

    @Test
    void file_withoutBot_orOfAnotherBot_orUnknown_isRefused() throws Exception {
        start();
        long user = startedUser("Ann");
        sim("/sim/bots", "{\"token\":\"" + OTHER_TOKEN + "\"}");
        String fileId = photoFileId(user);

        assertSimError(get("/sim/files/" + fileId), 400, "bot is required");
        assertSimError(get("/sim/files/" + fileId + "?bot=x"), 400, "bot must be a number");
        assertSimError(get("/sim/files/" + fileId + "?bot=" + OTHER_BOT_ID), 404,
                "bot " + OTHER_BOT_ID + " has no file " + fileId);
        assertSimError(get("/sim/files/AgACnothing?bot=" + BOT_ID), 404, "has no file AgACnothing");
        assertSimError(get("/sim/files/" + fileId + "?bot=42"), 404, "no bot 42");
    }

    // ---- GET /sim/users/{id}/keyboard ----

    @Test
    void keyboard_setByAnySendMethod_keptByMessagesWithoutIt_removedByRemoveKeyboard() throws Exception {
        start();
        long user = startedUser("Ann");
        assertThat(keyboard(user).has("keyboard")).isTrue();
        assertThat(keyboard(user).get("keyboard").isNull()).isTrue();

        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"menu\",\"reply_markup\":{\"keyboard\":"
                + "[[\"🔎 Search\",{\"text\":\"⚙ Settings\"}],[\"Help\"]],\"resize_keyboard\":true,"
                + "\"one_time_keyboard\":true,\"input_field_placeholder\":\"Say hi\"}}");
        JsonNode shown = keyboard(user);
        assertThat(shown.path("keyboard")).hasSize(2);
        assertThat(shown.path("keyboard").get(0).get(0).path("text").asText()).isEqualTo("🔎 Search");
        assertThat(shown.path("keyboard").get(0).get(1).path("text").asText()).isEqualTo("⚙ Settings");
        assertThat(shown.path("keyboard").get(1).get(0).path("text").asText()).isEqualTo("Help");
        assertThat(shown.path("resize_keyboard").asBoolean()).isTrue();
        assertThat(shown.path("one_time_keyboard").asBoolean()).isTrue();
        assertThat(shown.path("input_field_placeholder").asText()).isEqualTo("Say hi");

        // no reply_markup, an inline keyboard, force_reply: the keyboard stays
        callOk("sendContact", "{\"chat_id\":" + user + ",\"phone_number\":\"+100\",\"first_name\":\"Eve\"}");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"pick\",\"reply_markup\":{\"inline_keyboard\":"
                + "[[{\"text\":\"A\",\"callback_data\":\"a\"}]]}}");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"why?\",\"reply_markup\":{\"force_reply\":true}}");
        assertThat(keyboard(user)).isEqualTo(shown);

        // any sending method replaces it (here a location, then a copy)
        callOk("sendLocation", "{\"chat_id\":" + user + ",\"latitude\":55.75,\"longitude\":37.61,"
                + "\"reply_markup\":{\"keyboard\":[[\"Stop\"]]}}");
        assertThat(keyboard(user).path("keyboard").get(0).get(0).path("text").asText()).isEqualTo("Stop");
        assertThat(keyboard(user).path("one_time_keyboard").asBoolean(true)).isFalse();
        assertThat(keyboard(user).path("input_field_placeholder").isNull()).isTrue();
        JsonNode first = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"copied\"}");
        callOk("copyMessage", "{\"chat_id\":" + user + ",\"from_chat_id\":" + user + ",\"message_id\":"
                + first.path("message_id").asInt() + ",\"reply_markup\":{\"keyboard\":[[\"Next\",\"Stop\"]]}}");
        assertThat(keyboard(user).path("keyboard").get(0)).hasSize(2);

        callOk("sendDice", "{\"chat_id\":" + user + ",\"reply_markup\":{\"remove_keyboard\":true}}");
        assertThat(keyboard(user).get("keyboard").isNull()).isTrue();
    }

    @Test
    void keyboard_methodsWithoutReplyMarkup_andFailedSends_leaveIt() throws Exception {
        start();
        long user = startedUser("Ann");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"menu\",\"reply_markup\":{\"keyboard\":[[\"A\"]]}}");
        JsonNode shown = keyboard(user);

        // sendMediaGroup has no reply_markup parameter: Telegram ignores it
        String photo = photoFileId(user);
        callOk("sendMediaGroup", "{\"chat_id\":" + user + ",\"media\":[{\"type\":\"photo\",\"media\":\"" + photo
                + "\"},{\"type\":\"photo\",\"media\":\"" + photo + "\"}],\"reply_markup\":{\"remove_keyboard\":true}}");
        assertThat(keyboard(user)).isEqualTo(shown);
        // a refused send changes nothing
        HttpResponse<String> refused = post("/bot" + TOKEN + "/sendMessage", "{\"chat_id\":" + user
                + ",\"text\":\" \",\"reply_markup\":{\"remove_keyboard\":true}}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(keyboard(user)).isEqualTo(shown);
    }

    @Test
    void keyboard_isPerBotChat() throws Exception {
        start();
        long ann = startedUser("Ann");
        long bob = sim("/sim/users", "{\"first_name\":\"Bob\"}").get("id").asLong();
        sim("/sim/users/" + bob + "/start", "{\"bot\":" + BOT_ID + "}");
        sim("/sim/bots", "{\"token\":\"" + OTHER_TOKEN + "\"}");
        sim("/sim/users/" + ann + "/start", "{\"bot\":" + OTHER_BOT_ID + "}");
        callOk("sendMessage", "{\"chat_id\":" + ann + ",\"text\":\"menu\",\"reply_markup\":{\"keyboard\":[[\"A\"]]}}");

        assertThat(keyboard(ann).path("keyboard").isArray()).isTrue();
        assertThat(keyboard(bob).get("keyboard").isNull()).isTrue();
        assertThat(simGet("/sim/users/" + ann + "/keyboard?bot=" + OTHER_BOT_ID).get("keyboard").isNull()).isTrue();
    }

    @Test
    void keyboard_withoutBot_orUnknownUser_isRefused() throws Exception {
        start();
        long user = startedUser("Ann");
        assertSimError(get("/sim/users/" + user + "/keyboard"), 400, "bot is required");
        assertSimError(get("/sim/users/99/keyboard?bot=" + BOT_ID), 404, "no simulated user 99");
        assertSimError(get("/sim/users/" + user + "/keyboard?bot=42"), 404, "no bot 42");
    }

    // ---- POST /sim/users/{id}/webapp-data ----

    @Test
    void webappData_fromAKeyboardMiniApp_reachesTheBotAsWebAppData() throws Exception {
        start();
        long user = startedUser("Ann");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"menu\",\"reply_markup\":{\"keyboard\":"
                + "[[{\"text\":\"Order\",\"web_app\":{\"url\":\"https://shop.example.com/\"}}]]}}");
        sim("/sim/users/" + user + "/webapp", "{\"bot\":" + BOT_ID + ",\"url\":\"https://shop.example.com/\"}");

        JsonNode sent = sim("/sim/users/" + user + "/webapp-data", "{\"bot\":" + BOT_ID
                + ",\"button_text\":\"Order\",\"data\":\"{\\\"pizza\\\":2}\"}");

        JsonNode message = poll().getFirst().path("message");
        assertThat(message.path("message_id").asInt()).isEqualTo(sent.path("message_id").asInt());
        assertThat(message.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(message.path("web_app_data").path("data").asText()).isEqualTo("{\"pizza\":2}");
        assertThat(message.path("web_app_data").path("button_text").asText()).isEqualTo("Order");
    }

    @Test
    void webappData_emptyOrTooLongOrBeforeStart_isRefused() throws Exception {
        start();
        long user = startedUser("Ann");
        long stranger = sim("/sim/users", "{\"first_name\":\"Bob\"}").get("id").asLong();
        String path = "/sim/users/" + user + "/webapp-data";

        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"button_text\":\"Order\",\"data\":\"\"}"), 400,
                "data must be 1-4096 bytes");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"button_text\":\"Order\",\"data\":\""
                + "x".repeat(4097) + "\"}"), 400, "data must be 1-4096 bytes");
        assertSimError(post(path, "{\"bot\":" + BOT_ID + ",\"data\":\"x\"}"), 400, "button_text");
        assertSimError(post("/sim/users/" + stranger + "/webapp-data", "{\"bot\":" + BOT_ID
                + ",\"button_text\":\"Order\",\"data\":\"x\"}"), 400, "has not started this bot");
    }
}

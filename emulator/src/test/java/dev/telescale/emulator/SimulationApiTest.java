package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The simulation API ({@code /sim}) end to end over raw HTTP, as outside tools drive it: simulated
 * users act, the bot sees the updates through getUpdates and answers through the Bot API, and
 * inboxes, stats, faults, flood limits and the trace are read and changed over HTTP.
 */
class SimulationApiTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final long BOT_ID = 1234567L;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Emulator emulator;
    private HttpServer files;
    private long offset;

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
        if (files != null) {
            files.stop(0);
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

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A /sim call that must succeed; its JSON answer. */
    private JsonNode sim(String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return body(response);
    }

    private JsonNode simGet(String pathAndQuery) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(pathAndQuery + " -> " + response.body()).isEqualTo(200);
        return body(response);
    }

    /** A Bot API call with a JSON body. */
    private HttpResponse<String> call(String method, String json) throws Exception {
        return post("/bot" + TOKEN + "/" + method, json);
    }

    private JsonNode callOk(String method, String json) throws Exception {
        return assertOk(call(method, json));
    }

    private static JsonNode body(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }

    private static JsonNode assertOk(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode json = body(response);
        assertThat(json.path("ok").asBoolean()).isTrue();
        return json.path("result");
    }

    private static void assertError(HttpResponse<String> response, int status, String description) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode json = body(response);
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("error_code").asInt()).isEqualTo(status);
        assertThat(json.path("description").asText()).isEqualTo(description);
    }

    /** A /sim refusal: the status, {"ok":false,"error":...} with the error containing the text. */
    private static void assertSimError(HttpResponse<String> response, int status, String errorPart) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode json = body(response);
        assertThat(json.path("ok").isBoolean()).isTrue();
        assertThat(json.path("ok").asBoolean()).isFalse();
        assertThat(json.path("error").asText()).isNotBlank().contains(errorPart);
    }

    /** The bot polls (no wait) and confirms what it got; an allowed_updates JSON array or null. */
    private List<JsonNode> poll(String allowedUpdates) throws Exception {
        String body = "{\"offset\":" + offset + ",\"timeout\":0"
                + (allowedUpdates == null ? "" : ",\"allowed_updates\":" + allowedUpdates) + "}";
        JsonNode result = callOk("getUpdates", body);
        List<JsonNode> updates = new ArrayList<>();
        result.forEach(updates::add);
        if (!updates.isEmpty()) {
            offset = updates.getLast().get("update_id").asLong() + 1;
        }
        return updates;
    }

    private List<JsonNode> poll() throws Exception {
        return poll(null);
    }

    /** Polls and expects exactly one update. */
    private JsonNode pollOne() throws Exception {
        List<JsonNode> updates = poll();
        assertThat(updates).hasSize(1);
        return updates.getFirst();
    }

    private long createUser(String firstName) throws Exception {
        JsonNode user = sim("/sim/users", "{\"first_name\":\"" + firstName + "\",\"language_code\":\"en\"}");
        assertThat(user.path("id").asLong()).isPositive();
        return user.get("id").asLong();
    }

    /** The bot registered over /sim/bots and a user who started it; the /start update is consumed. */
    private long startedUser() throws Exception {
        JsonNode bot = sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        assertThat(bot.path("id").asLong()).isEqualTo(BOT_ID);
        long user = createUser("Ada");
        sim("/sim/users/" + user + "/start", "{\"bot\":" + BOT_ID + "}");
        poll();
        return user;
    }

    /** The user sends something; returns the /send answer. */
    private JsonNode userSends(long user, String fields) throws Exception {
        return sim("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + "," + fields + "}");
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.ORANGE);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private byte[] download(String fileId) throws Exception {
        JsonNode file = callOk("getFile", "{\"file_id\":\"" + fileId + "\"}");
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/file/bot"
                + TOKEN + "/" + file.get("file_path").asText())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static String lastFileId(JsonNode media) {
        JsonNode ref = media.isArray() ? media.get(media.size() - 1) : media;
        return ref.get("file_id").asText();
    }

    // ---- users: start, send, edit, delete ----

    @Test
    void start_withPayload_botSeesStartCommandWithEntity() throws Exception {
        start();
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        long user = createUser("Ada");
        JsonNode started = sim("/sim/users/" + user + "/start", "{\"bot\":" + BOT_ID + ",\"payload\":\"ref123\"}");

        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(started.get("update_id").asLong());
        JsonNode message = update.get("message");
        assertThat(message.get("message_id").asInt()).isEqualTo(started.get("message_id").asInt());
        assertThat(message.get("text").asText()).isEqualTo("/start ref123");
        assertThat(message.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(message.path("chat").path("id").asLong()).isEqualTo(user);
        assertThat(message.path("chat").path("type").asText()).isEqualTo("private");
        JsonNode entity = message.path("entities").get(0);
        assertThat(entity.path("type").asText()).isEqualTo("bot_command");
        assertThat(entity.path("offset").asInt()).isZero();
        assertThat(entity.path("length").asInt()).isEqualTo(6);
    }

    @Test
    void getUser_created_returnsUserObject() throws Exception {
        start();
        JsonNode created = sim("/sim/users", "{\"first_name\":\"Grace\",\"last_name\":\"Hopper\",\"username\":\"grace_h\"}");
        JsonNode user = simGet("/sim/users/" + created.get("id").asLong());
        assertThat(user.path("id").asLong()).isEqualTo(created.get("id").asLong());
        assertThat(user.path("is_bot").asBoolean(true)).isFalse();
        assertThat(user.path("first_name").asText()).isEqualTo("Grace");
        assertThat(user.path("username").asText()).isEqualTo("grace_h");
    }

    @Test
    void send_text_botSeesMessage() throws Exception {
        start();
        long user = startedUser();
        JsonNode sent = userSends(user, "\"text\":\"hello there\"");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(sent.get("update_id").asLong());
        assertThat(update.path("message").path("text").asText()).isEqualTo("hello there");
        assertThat(update.path("message").path("message_id").asInt()).isEqualTo(sent.get("message_id").asInt());
    }

    @Test
    void send_photoLabel_botSeesTwoRealSizes() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"photo\":\"sunset\",\"caption\":\"look\"");
        JsonNode message = pollOne().get("message");
        JsonNode photo = message.get("photo");
        assertThat(photo.isArray()).isTrue();
        assertThat(photo).hasSize(2);
        assertThat(photo.get(1).path("width").asInt()).isGreaterThan(photo.get(0).path("width").asInt());
        assertThat(message.path("caption").asText()).isEqualTo("look");
        byte[] bytes = download(lastFileId(photo));
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(bytes))).isNotNull();
    }

    @Test
    void send_photoDataUrl_botDownloadsSameBytes() throws Exception {
        start();
        long user = startedUser();
        byte[] png = png(40, 30);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        userSends(user, "\"photo\":\"" + dataUrl + "\"");
        JsonNode photo = pollOne().path("message").get("photo");
        JsonNode largest = photo.get(photo.size() - 1);
        assertThat(largest.path("width").asInt()).isEqualTo(40);
        assertThat(largest.path("height").asInt()).isEqualTo(30);
        assertThat(download(largest.get("file_id").asText())).isEqualTo(png);
    }

    @Test
    void send_fileIdOfAnEarlierMessage_sameFileAgain() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"sticker\":\"cat\"");
        JsonNode first = pollOne().path("message").get("sticker");
        userSends(user, "\"sticker\":\"" + first.get("file_id").asText() + "\"");
        JsonNode again = pollOne().path("message").get("sticker");
        assertThat(again.path("file_unique_id").asText()).isEqualTo(first.path("file_unique_id").asText());
        assertThat(again.path("file_id").asText()).isEqualTo(first.path("file_id").asText());
        userSends(user, "\"sticker\":\"cat\"");
        assertThat(pollOne().path("message").path("sticker").path("file_unique_id").asText())
                .as("a label is new content every time").isNotEqualTo(first.path("file_unique_id").asText());
        userSends(user, "\"photo\":\"" + first.get("file_id").asText() + "\"");
        assertThat(pollOne().path("message").path("photo").get(0).path("file_unique_id").asText())
                .as("a file_id of another kind is only a label").isNotEqualTo(first.path("file_unique_id").asText());
    }

    @Test
    void send_otherMediaKinds_botSeesEachKind() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"video\":\"clip\",\"caption\":\"a clip\"");
        JsonNode video = pollOne().get("message");
        assertThat(video.path("video").path("file_id").asText()).isNotEmpty();
        assertThat(video.path("video").path("mime_type").asText()).isEqualTo("video/mp4");
        assertThat(video.path("caption").asText()).isEqualTo("a clip");

        userSends(user, "\"voice\":\"hello\"");
        JsonNode voice = pollOne().get("message");
        assertThat(voice.path("voice").path("mime_type").asText()).isEqualTo("audio/ogg");

        userSends(user, "\"sticker\":\"cat\"");
        JsonNode sticker = pollOne().get("message");
        assertThat(sticker.path("sticker").path("width").asInt()).isEqualTo(512);
        assertThat(sticker.path("sticker").path("type").asText()).isEqualTo("regular");

        userSends(user, "\"document\":\"report.pdf\"");
        JsonNode document = pollOne().get("message");
        assertThat(document.path("document").path("file_name").asText()).isEqualTo("report.pdf");
        assertThat(document.path("document").path("mime_type").asText()).isEqualTo("application/pdf");
        assertThat(download(document.path("document").path("file_id").asText())).isNotEmpty();
    }

    @Test
    void send_album_twoUpdatesShareMediaGroupId() throws Exception {
        start();
        long user = startedUser();
        JsonNode sent = userSends(user, "\"album\":[{\"photo\":\"one\",\"caption\":\"holiday\"},{\"photo\":\"two\"}]");
        assertThat(sent.get("update_ids")).hasSize(2);
        assertThat(sent.get("message_ids")).hasSize(2);

        List<JsonNode> updates = poll();
        assertThat(updates).hasSize(2);
        JsonNode first = updates.get(0).get("message");
        JsonNode second = updates.get(1).get("message");
        assertThat(updates.get(0).get("update_id").asLong()).isEqualTo(sent.get("update_ids").get(0).asLong());
        assertThat(updates.get(1).get("update_id").asLong()).isEqualTo(sent.get("update_ids").get(1).asLong());
        assertThat(first.path("media_group_id").asText()).isNotEmpty()
                .isEqualTo(second.path("media_group_id").asText());
        assertThat(first.has("photo")).isTrue();
        assertThat(second.has("photo")).isTrue();
        assertThat(first.path("caption").asText()).isEqualTo("holiday");
        assertThat(second.has("caption")).isFalse();
        assertThat(second.get("message_id").asInt()).isEqualTo(first.get("message_id").asInt() + 1);
    }

    @Test
    void send_albumWithTopLevelCaption_captionOnFirstItem() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"album\":[{\"photo\":\"one\"},{\"photo\":\"two\"}],\"caption\":\"trip\"");
        List<JsonNode> updates = poll();
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).path("message").path("caption").asText()).isEqualTo("trip");
        assertThat(updates.get(1).path("message").has("caption")).isFalse();
        assertThat(updates.get(0).path("message").path("media_group_id").asText())
                .isEqualTo(updates.get(1).path("message").path("media_group_id").asText());
    }

    @Test
    void send_albumWithInvalidItem_isRefusedAndDeliversNothing() throws Exception {
        start();
        long user = startedUser();
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID
                + ",\"album\":[{\"photo\":\"one\"},{\"caption\":\"no media\"}]}"), 400, "nothing to send");
        assertThat(poll()).isEmpty();
    }

    @Test
    void send_locationVenueContactDice_botSeesEach() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"location\":{\"latitude\":51.5,\"longitude\":-0.12}");
        JsonNode location = pollOne().get("message").get("location");
        assertThat(location.path("latitude").asDouble()).isEqualTo(51.5);
        assertThat(location.path("longitude").asDouble()).isEqualTo(-0.12);

        userSends(user, "\"venue\":{\"location\":{\"latitude\":48.85,\"longitude\":2.35},\"title\":\"Louvre\","
                + "\"address\":\"Rue de Rivoli\"}");
        JsonNode venueMessage = pollOne().get("message");
        assertThat(venueMessage.path("venue").path("title").asText()).isEqualTo("Louvre");
        assertThat(venueMessage.path("venue").path("address").asText()).isEqualTo("Rue de Rivoli");
        assertThat(venueMessage.path("venue").path("location").path("latitude").asDouble()).isEqualTo(48.85);
        assertThat(venueMessage.path("location").path("longitude").asDouble()).isEqualTo(2.35);

        userSends(user, "\"contact\":{\"phone_number\":\"+441234567\",\"first_name\":\"Bob\",\"user_id\":" + user + "}");
        JsonNode contact = pollOne().get("message").get("contact");
        assertThat(contact.path("phone_number").asText()).isEqualTo("+441234567");
        assertThat(contact.path("first_name").asText()).isEqualTo("Bob");
        assertThat(contact.path("user_id").asLong()).isEqualTo(user);

        userSends(user, "\"dice\":\"🎯\"");
        JsonNode dice = pollOne().get("message").get("dice");
        assertThat(dice.path("emoji").asText()).isEqualTo("🎯");
        assertThat(dice.path("value").asInt()).isBetween(1, 6);
    }

    @Test
    void send_replyTo_embedsRepliedMessage() throws Exception {
        start();
        long user = startedUser();
        JsonNode bot = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"What is your name?\"}");
        userSends(user, "\"text\":\"Ada\",\"reply_to\":" + bot.get("message_id").asInt());
        JsonNode message = pollOne().get("message");
        assertThat(message.path("reply_to_message").path("message_id").asInt()).isEqualTo(bot.get("message_id").asInt());
        assertThat(message.path("reply_to_message").path("text").asText()).isEqualTo("What is your name?");
    }

    @Test
    void send_forwardFromUser_hasUserForwardOrigin() throws Exception {
        start();
        long user = startedUser();
        long other = createUser("Linus");
        userSends(user, "\"text\":\"forwarded words\",\"forward_from\":" + other);
        JsonNode message = pollOne().get("message");
        JsonNode origin = message.get("forward_origin");
        assertThat(origin.path("type").asText()).isEqualTo("user");
        assertThat(origin.path("sender_user").path("id").asLong()).isEqualTo(other);
        assertThat(origin.path("sender_user").path("first_name").asText()).isEqualTo("Linus");
        assertThat(origin.path("date").asLong()).isPositive();
        assertThat(message.path("text").asText()).isEqualTo("forwarded words");
    }

    @Test
    void edit_text_botSeesEditedMessage() throws Exception {
        start();
        long user = startedUser();
        JsonNode sent = userSends(user, "\"text\":\"helo\"");
        poll();
        JsonNode edited = sim("/sim/users/" + user + "/edit", "{\"bot\":" + BOT_ID + ",\"message_id\":"
                + sent.get("message_id").asInt() + ",\"text\":\"hello\"}");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(edited.get("update_id").asLong());
        assertThat(update.has("message")).isFalse();
        JsonNode message = update.get("edited_message");
        assertThat(message.path("message_id").asInt()).isEqualTo(sent.get("message_id").asInt());
        assertThat(message.path("text").asText()).isEqualTo("hello");
        assertThat(message.path("edit_date").asLong()).isPositive();
    }

    @Test
    void delete_userMessage_noUpdateAndCopyFails() throws Exception {
        start();
        long user = startedUser();
        JsonNode sent = userSends(user, "\"text\":\"oops\"");
        poll();
        int messageId = sent.get("message_id").asInt();
        JsonNode deleted = sim("/sim/users/" + user + "/delete", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId + "}");
        assertThat(deleted.path("ok").asBoolean()).isTrue();
        assertThat(poll()).isEmpty();
        assertError(call("copyMessage", "{\"chat_id\":" + user + ",\"from_chat_id\":" + user + ",\"message_id\":"
                + messageId + "}"), 400, "Bad Request: message to copy not found");
    }

    @Test
    void delete_messageIds_removesEach() throws Exception {
        start();
        long user = startedUser();
        int first = userSends(user, "\"text\":\"a\"").get("message_id").asInt();
        int second = userSends(user, "\"text\":\"b\"").get("message_id").asInt();
        poll();
        sim("/sim/users/" + user + "/delete", "{\"bot\":" + BOT_ID + ",\"message_ids\":[" + first + "," + second + "]}");
        for (int id : new int[] {first, second}) {
            assertError(call("forwardMessage", "{\"chat_id\":" + user + ",\"from_chat_id\":" + user
                    + ",\"message_id\":" + id + "}"), 400, "Bad Request: message to forward not found");
        }
    }

    // ---- reactions, buttons, blocking ----

    @Test
    void react_withoutAllowedUpdates_noUpdate() throws Exception {
        start();
        long user = startedUser();
        JsonNode bot = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"rate me\"}");
        JsonNode reacted = sim("/sim/users/" + user + "/react", "{\"bot\":" + BOT_ID + ",\"message_id\":"
                + bot.get("message_id").asInt() + ",\"emoji\":\"👍\"}");
        assertThat(reacted.path("update_id").isNull()).isTrue();
        assertThat(poll()).isEmpty();
    }

    @Test
    void react_allowedUpdatesAsksForIt_botSeesMessageReaction() throws Exception {
        start();
        long user = startedUser();
        JsonNode bot = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"rate me\"}");
        int messageId = bot.get("message_id").asInt();
        assertThat(poll("[\"message_reaction\"]")).isEmpty();

        JsonNode reacted = sim("/sim/users/" + user + "/react", "{\"bot\":" + BOT_ID + ",\"message_id\":"
                + messageId + ",\"emoji\":\"👍\"}");
        List<JsonNode> updates = poll("[\"message_reaction\"]");
        assertThat(updates).hasSize(1);
        assertThat(updates.getFirst().get("update_id").asLong()).isEqualTo(reacted.get("update_id").asLong());
        JsonNode reaction = updates.getFirst().get("message_reaction");
        assertThat(reaction.path("message_id").asInt()).isEqualTo(messageId);
        assertThat(reaction.path("user").path("id").asLong()).isEqualTo(user);
        assertThat(reaction.path("chat").path("id").asLong()).isEqualTo(user);
        assertThat(reaction.path("old_reaction")).isEmpty();
        assertThat(reaction.path("new_reaction").get(0).path("type").asText()).isEqualTo("emoji");
        assertThat(reaction.path("new_reaction").get(0).path("emoji").asText()).isEqualTo("👍");

        sim("/sim/users/" + user + "/react", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId + ",\"emoji\":\"\"}");
        JsonNode removed = poll("[\"message_reaction\"]").getFirst().get("message_reaction");
        assertThat(removed.path("old_reaction").get(0).path("emoji").asText()).isEqualTo("👍");
        assertThat(removed.path("new_reaction")).isEmpty();
    }

    @Test
    void press_inlineButton_botSeesCallbackQueryWithData() throws Exception {
        start();
        long user = startedUser();
        JsonNode bot = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"Continue?\",\"reply_markup\":"
                + "{\"inline_keyboard\":[[{\"text\":\"Yes\",\"callback_data\":\"yes\"},"
                + "{\"text\":\"No\",\"callback_data\":\"no\"}]]}}");
        int messageId = bot.get("message_id").asInt();

        JsonNode pressed = sim("/sim/users/" + user + "/press", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId
                + ",\"data\":\"yes\"}");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(pressed.get("update_id").asLong());
        JsonNode query = update.get("callback_query");
        assertThat(query.path("id").asText()).isEqualTo(pressed.get("query_id").asText());
        assertThat(query.path("data").asText()).isEqualTo("yes");
        assertThat(query.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(query.path("message").path("message_id").asInt()).isEqualTo(messageId);
        assertThat(query.path("chat_instance").asText()).isNotEmpty();

        assertThat(callOk("answerCallbackQuery", "{\"callback_query_id\":\"" + query.get("id").asText()
                + "\",\"text\":\"Done\"}").asBoolean()).isTrue();
        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        JsonNode answer = inbox.get(inbox.size() - 1);
        assertThat(answer.path("event").asText()).isEqualTo("callback_answer");
        assertThat(answer.path("text").asText()).isEqualTo("Done");

        sim("/sim/users/" + user + "/press", "{\"bot\":" + BOT_ID + ",\"message_id\":" + messageId + ",\"text\":\"No\"}");
        assertThat(pollOne().path("callback_query").path("data").asText()).isEqualTo("no");
    }

    @Test
    void block_thenUnblock_myChatMemberAndForbiddenInBetween() throws Exception {
        start();
        long user = startedUser();
        JsonNode blocked = sim("/sim/users/" + user + "/block", "{\"bot\":" + BOT_ID + "}");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(blocked.get("update_id").asLong());
        JsonNode member = update.get("my_chat_member");
        assertThat(member.path("chat").path("id").asLong()).isEqualTo(user);
        assertThat(member.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(member.path("old_chat_member").path("status").asText()).isEqualTo("member");
        assertThat(member.path("new_chat_member").path("status").asText()).isEqualTo("kicked");
        assertThat(member.path("new_chat_member").path("user").path("id").asLong()).isEqualTo(BOT_ID);

        assertError(call("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"still there?\"}"), 403,
                "Forbidden: bot was blocked by the user");

        sim("/sim/users/" + user + "/unblock", "{\"bot\":" + BOT_ID + "}");
        JsonNode unblocked = pollOne().get("my_chat_member");
        assertThat(unblocked.path("old_chat_member").path("status").asText()).isEqualTo("kicked");
        assertThat(unblocked.path("new_chat_member").path("status").asText()).isEqualTo("member");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"welcome back\"}");
    }

    @Test
    void deactivate_user_botGetsForbiddenDeactivated() throws Exception {
        start();
        long user = startedUser();
        JsonNode answer = sim("/sim/users/" + user + "/deactivate", "");
        assertThat(answer.path("ok").asBoolean()).isTrue();
        assertError(call("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"hi\"}"), 403,
                "Forbidden: user is deactivated");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"text\":\"hi\"}"), 400,
                "deactivated");
    }

    // ---- inbox ----

    @Test
    void inbox_afterPaging_returnsEventsInOrderWithFields() throws Exception {
        start();
        long user = startedUser();
        userSends(user, "\"photo\":\"cat\"");
        String fileId = lastFileId(pollOne().path("message").get("photo"));

        JsonNode text = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"first\"}");
        callOk("sendPhoto", "{\"chat_id\":" + user + ",\"photo\":\"" + fileId + "\",\"caption\":\"your cat\"}");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"third\",\"reply_parameters\":{\"message_id\":"
                + text.get("message_id").asInt() + "}}");

        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        assertThat(inbox).hasSize(3);
        JsonNode first = inbox.get(0);
        JsonNode second = inbox.get(1);
        JsonNode third = inbox.get(2);
        assertThat(first.path("event").asText()).isEqualTo("message");
        assertThat(first.path("kind").asText()).isEqualTo("text");
        assertThat(first.path("text").asText()).isEqualTo("first");
        assertThat(first.path("message_id").asInt()).isEqualTo(text.get("message_id").asInt());
        assertThat(first.path("at").asLong()).isPositive();
        assertThat(first.path("message").path("text").asText()).isEqualTo("first");
        assertThat(second.path("kind").asText()).isEqualTo("photo");
        assertThat(second.path("caption").asText()).isEqualTo("your cat");
        assertThat(second.path("file_id").asText()).isEqualTo(fileId);
        assertThat(third.path("kind").asText()).isEqualTo("text");
        assertThat(third.path("reply_to").asInt()).isEqualTo(text.get("message_id").asInt());
        assertThat(second.path("seq").asLong()).isGreaterThan(first.path("seq").asLong());
        assertThat(third.path("seq").asLong()).isGreaterThan(second.path("seq").asLong());

        JsonNode afterFirst = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID + "&after=" + first.get("seq").asLong());
        assertThat(afterFirst).hasSize(2);
        assertThat(afterFirst.get(0).path("seq").asLong()).isEqualTo(second.path("seq").asLong());
        assertThat(afterFirst.get(1).path("seq").asLong()).isEqualTo(third.path("seq").asLong());
        assertThat(simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID + "&after=" + third.get("seq").asLong()))
                .isEmpty();
    }

    // ---- groups ----

    @Test
    void groups_userAndBotMembers_statusesAndMessagesBothWays() throws Exception {
        start();
        long user = startedUser();
        long outsider = createUser("Eve");
        JsonNode group = sim("/sim/groups", "{\"title\":\"Chess club\",\"type\":\"supergroup\",\"members\":{\""
                + user + "\":\"member\",\"" + BOT_ID + "\":\"administrator\"}}");
        long groupId = group.get("id").asLong();
        assertThat(groupId).isNegative();

        JsonNode userMember = callOk("getChatMember", "{\"chat_id\":" + groupId + ",\"user_id\":" + user + "}");
        assertThat(userMember.path("status").asText()).isEqualTo("member");
        assertThat(userMember.path("user").path("id").asLong()).isEqualTo(user);
        JsonNode botMember = callOk("getChatMember", "{\"chat_id\":" + groupId + ",\"user_id\":" + BOT_ID + "}");
        assertThat(botMember.path("status").asText()).isEqualTo("administrator");
        assertThat(botMember.path("can_delete_messages").asBoolean()).isTrue();
        assertThat(callOk("getChatMember", "{\"chat_id\":" + groupId + ",\"user_id\":" + outsider + "}")
                .path("status").asText()).isEqualTo("left");

        JsonNode sent = userSends(user, "\"chat\":" + groupId + ",\"text\":\"e4\"");
        JsonNode message = pollOne().get("message");
        assertThat(message.path("message_id").asInt()).isEqualTo(sent.get("message_id").asInt());
        assertThat(message.path("chat").path("id").asLong()).isEqualTo(groupId);
        assertThat(message.path("chat").path("type").asText()).isEqualTo("supergroup");
        assertThat(message.path("chat").path("title").asText()).isEqualTo("Chess club");
        assertThat(message.path("from").path("id").asLong()).isEqualTo(user);
        assertSimError(post("/sim/users/" + outsider + "/send", "{\"bot\":" + BOT_ID + ",\"chat\":" + groupId
                + ",\"text\":\"hi\"}"), 400, "not a member");

        callOk("sendMessage", "{\"chat_id\":" + groupId + ",\"text\":\"e5\",\"reply_parameters\":{\"message_id\":"
                + sent.get("message_id").asInt() + "}}");
        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID + "&chat=" + groupId);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).path("text").asText()).isEqualTo("e5");
        assertThat(inbox.get(0).path("reply_to").asInt()).isEqualTo(sent.get("message_id").asInt());

        JsonNode members = sim("/sim/groups/" + groupId + "/members", "{\"bot\":" + BOT_ID + ",\"status\":\"kicked\"}");
        assertThat(members.path("ok").asBoolean()).isTrue();
        assertError(call("sendMessage", "{\"chat_id\":" + groupId + ",\"text\":\"e6\"}"), 403,
                "Forbidden: bot was kicked from the supergroup chat");
    }

    @Test
    void groups_floodLimitsOn_21stMessageWithinAMinuteIs429() throws Exception {
        start(EmulatorConfig.defaults().withFlood(FloodLimits.telegramDefaults()));
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        long user = createUser("Ada");
        long groupId = sim("/sim/groups", "{\"title\":\"Busy\",\"type\":\"group\",\"members\":{\"" + user
                + "\":\"creator\",\"" + BOT_ID + "\":\"member\"}}").get("id").asLong();
        for (int i = 1; i <= 20; i++) {
            assertOk(call("sendMessage", "{\"chat_id\":" + groupId + ",\"text\":\"message " + i + "\"}"));
        }
        HttpResponse<String> limited = call("sendMessage", "{\"chat_id\":" + groupId + ",\"text\":\"one too many\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        int retryAfter = body(limited).path("parameters").path("retry_after").asInt();
        assertThat(retryAfter).isBetween(1, 60);
        assertError(limited, 429, "Too Many Requests: retry after " + retryAfter);
        assertThat(simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID + "&chat=" + groupId)).hasSize(20);
    }

    // ---- payments in Stars ----

    private static final String STARS_INVOICE = "\"title\":\"VIP\",\"description\":\"VIP access for a month\","
            + "\"payload\":\"vip-1\",\"currency\":\"XTR\",\"prices\":[{\"label\":\"VIP\",\"amount\":50}]";

    private int sendStarsInvoice(long user) throws Exception {
        JsonNode invoice = callOk("sendInvoice", "{\"chat_id\":" + user + "," + STARS_INVOICE + "}");
        return invoice.get("message_id").asInt();
    }

    /** The user pays the invoice; returns the pre_checkout_query the bot received. */
    private JsonNode pay(long user, int invoiceMessageId) throws Exception {
        JsonNode paid = sim("/sim/users/" + user + "/pay", "{\"bot\":" + BOT_ID + ",\"message_id\":" + invoiceMessageId + "}");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(paid.get("update_id").asLong());
        JsonNode query = update.get("pre_checkout_query");
        assertThat(query.path("id").asText()).isEqualTo(paid.get("query_id").asText());
        return query;
    }

    @Test
    void sendInvoice_stars_invoiceMessageInInbox() throws Exception {
        start();
        long user = startedUser();
        JsonNode invoice = callOk("sendInvoice", "{\"chat_id\":" + user + "," + STARS_INVOICE + "}");
        assertThat(invoice.path("invoice").path("currency").asText()).isEqualTo("XTR");
        assertThat(invoice.path("invoice").path("total_amount").asLong()).isEqualTo(50);

        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).path("kind").asText()).isEqualTo("invoice");
        assertThat(inbox.get(0).path("message_id").asInt()).isEqualTo(invoice.get("message_id").asInt());
        assertThat(inbox.get(0).path("message").path("invoice").path("title").asText()).isEqualTo("VIP");
    }

    @Test
    void sendInvoice_starsWithTwoPrices_isRejected() throws Exception {
        start();
        long user = startedUser();
        assertError(call("sendInvoice", "{\"chat_id\":" + user + ",\"title\":\"VIP\",\"description\":\"d\","
                + "\"payload\":\"p\",\"currency\":\"XTR\",\"prices\":[{\"label\":\"VIP\",\"amount\":50},"
                + "{\"label\":\"Tip\",\"amount\":5}]}"), 400, "Bad Request: STARS_INVOICE_INVALID");
        assertThat(simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID)).isEmpty();
    }

    @Test
    void sendInvoice_starsWithProviderToken_isRejected() throws Exception {
        start();
        long user = startedUser();
        assertError(call("sendInvoice", "{\"chat_id\":" + user + "," + STARS_INVOICE
                + ",\"provider_token\":\"284685063:TEST:abc\"}"), 400, "Bad Request: PAYMENT_PROVIDER_INVALID");
    }

    @Test
    void pay_answeredOk_successfulPaymentThenRefundOnce() throws Exception {
        start();
        long user = startedUser();
        int invoice = sendStarsInvoice(user);
        JsonNode query = pay(user, invoice);
        assertThat(query.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(query.path("currency").asText()).isEqualTo("XTR");
        assertThat(query.path("total_amount").asLong()).isEqualTo(50);
        assertThat(query.path("invoice_payload").asText()).isEqualTo("vip-1");

        assertThat(callOk("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + query.get("id").asText()
                + "\",\"ok\":true}").asBoolean()).isTrue();
        JsonNode paidMessage = pollOne().get("message");
        JsonNode payment = paidMessage.get("successful_payment");
        assertThat(paidMessage.path("from").path("id").asLong()).isEqualTo(user);
        assertThat(payment.path("currency").asText()).isEqualTo("XTR");
        assertThat(payment.path("total_amount").asLong()).isEqualTo(50);
        assertThat(payment.path("invoice_payload").asText()).isEqualTo("vip-1");
        String chargeId = payment.path("telegram_payment_charge_id").asText();
        assertThat(chargeId).isNotEmpty();

        String refund = "{\"user_id\":" + user + ",\"telegram_payment_charge_id\":\"" + chargeId + "\"}";
        assertThat(callOk("refundStarPayment", refund).asBoolean()).isTrue();
        JsonNode refunded = pollOne().path("message").get("refunded_payment");
        assertThat(refunded.path("telegram_payment_charge_id").asText()).isEqualTo(chargeId);
        assertThat(refunded.path("total_amount").asLong()).isEqualTo(50);
        assertThat(refunded.path("currency").asText()).isEqualTo("XTR");

        assertError(call("refundStarPayment", refund), 400, "Bad Request: CHARGE_ALREADY_REFUNDED");
        assertThat(poll()).isEmpty();
    }

    @Test
    void answerPreCheckoutQuery_notOkWithoutErrorMessage_isRejected() throws Exception {
        start();
        long user = startedUser();
        JsonNode query = pay(user, sendStarsInvoice(user));
        String id = query.get("id").asText();
        assertError(call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + id + "\",\"ok\":false}"), 400,
                "Bad Request: parameter \"error_message\" is required");
        // the refusal did not use the query up: a proper decline still works
        assertThat(callOk("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + id
                + "\",\"ok\":false,\"error_message\":\"Sold out\"}").asBoolean()).isTrue();
        assertThat(poll()).isEmpty();
        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        JsonNode declined = inbox.get(inbox.size() - 1);
        assertThat(declined.path("event").asText()).isEqualTo("payment_declined");
        assertThat(declined.path("error_message").asText()).isEqualTo("Sold out");
    }

    @Test
    void answerPreCheckoutQuery_after10Seconds_isTooOld() throws Exception {
        MutableClock clock = new MutableClock();
        start(EmulatorConfig.defaults().withClock(clock).withFlood(FloodLimits.off()));
        long user = startedUser();
        JsonNode query = pay(user, sendStarsInvoice(user));
        clock.advance(Duration.ofSeconds(11));
        assertError(call("answerPreCheckoutQuery", "{\"pre_checkout_query_id\":\"" + query.get("id").asText()
                + "\",\"ok\":true}"), 400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
        assertThat(poll()).isEmpty();
    }

    // ---- media by HTTP URL ----

    private String serveFiles(byte[] png, byte[] pdf) throws IOException {
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/media/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] content = path.endsWith("/pic.png") ? png : path.endsWith("/terms.pdf") ? pdf : null;
            if (content == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", path.endsWith(".png") ? "image/png" : "application/pdf");
            exchange.sendResponseHeaders(200, content.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content);
            }
        });
        files.start();
        return "http://127.0.0.1:" + files.getAddress().getPort() + "/media/";
    }

    private static final byte[] PDF = ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            + "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
            .getBytes(StandardCharsets.US_ASCII);

    @Test
    void sendPhoto_httpUrl_getFileDownloadsSameBytes() throws Exception {
        start();
        long user = startedUser();
        byte[] png = png(120, 80);
        String base = serveFiles(png, PDF);
        JsonNode message = callOk("sendPhoto", "{\"chat_id\":" + user + ",\"photo\":\"" + base + "pic.png\"}");
        JsonNode photo = message.get("photo");
        JsonNode largest = photo.get(photo.size() - 1);
        assertThat(largest.path("width").asInt()).isEqualTo(120);
        assertThat(largest.path("height").asInt()).isEqualTo(80);
        assertThat(download(largest.get("file_id").asText())).isEqualTo(png);
    }

    @Test
    void sendDocument_httpUrl_getFileDownloadsSameBytes() throws Exception {
        start();
        long user = startedUser();
        String base = serveFiles(png(10, 10), PDF);
        JsonNode message = callOk("sendDocument", "{\"chat_id\":" + user + ",\"document\":\"" + base + "terms.pdf\"}");
        JsonNode document = message.get("document");
        assertThat(document.path("file_name").asText()).isEqualTo("terms.pdf");
        assertThat(document.path("mime_type").asText()).isEqualTo("application/pdf");
        assertThat(document.path("file_size").asLong()).isEqualTo(PDF.length);
        assertThat(download(document.get("file_id").asText())).isEqualTo(PDF);
        JsonNode inbox = simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID);
        assertThat(inbox.get(0).path("kind").asText()).isEqualTo("document");
        assertThat(inbox.get(0).path("file_id").asText()).isEqualTo(document.get("file_id").asText());
    }

    @Test
    void sendPhoto_urlAnswering404_failedToGetHttpUrlContent() throws Exception {
        start();
        long user = startedUser();
        String base = serveFiles(png(10, 10), PDF);
        assertError(call("sendPhoto", "{\"chat_id\":" + user + ",\"photo\":\"" + base + "missing.png\"}"), 400,
                "Bad Request: failed to get HTTP URL content");
        assertError(call("sendDocument", "{\"chat_id\":" + user + ",\"document\":\"" + base + "missing.pdf\"}"), 400,
                "Bad Request: failed to get HTTP URL content");
        assertThat(simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID)).isEmpty();
    }

    // ---- bad input to /sim ----

    @Test
    void sim_nonJsonBody_is400() throws Exception {
        start();
        long user = startedUser();
        assertSimError(post("/sim/users", "this is not json"), 400, "JSON object");
        assertSimError(post("/sim/users", "[1,2,3]"), 400, "JSON object");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"text\":"), 400, "JSON object");
        assertSimError(post("/sim/faults", "{oops"), 400, "JSON object");
    }

    @Test
    void sim_unknownUser_is404() throws Exception {
        start();
        sim("/sim/bots", "{\"token\":\"" + TOKEN + "\"}");
        assertSimError(get("/sim/users/987654"), 404, "987654");
        assertSimError(post("/sim/users/987654/send", "{\"bot\":" + BOT_ID + ",\"text\":\"hi\"}"), 404, "987654");
        assertSimError(post("/sim/users/987654/start", "{\"bot\":" + BOT_ID + "}"), 404, "987654");
        assertSimError(post("/sim/users/987654/deactivate", ""), 404, "987654");
        assertSimError(get("/sim/users/987654/inbox?bot=" + BOT_ID), 404, "987654");
    }

    @Test
    void sim_missingOrUnknownBot_isRefused() throws Exception {
        start();
        long user = createUser("Ada");
        assertSimError(post("/sim/users/" + user + "/send", "{\"text\":\"hi\"}"), 400, "bot");
        assertSimError(post("/sim/users/" + user + "/start", "{}"), 400, "bot");
        assertSimError(post("/sim/users/" + user + "/block", ""), 400, "bot");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":\"not a number\",\"text\":\"hi\"}"), 400, "bot");
        assertSimError(post("/sim/users/" + user + "/start", "{\"bot\":42}"), 404, "no bot 42");
        assertSimError(get("/sim/users/" + user + "/inbox"), 400, "bot");
        assertSimError(post("/sim/bots", "{\"token\":\"no-colon\"}"), 400, "token");
    }

    @Test
    void sim_badIds_is400() throws Exception {
        start();
        long user = startedUser();
        assertSimError(get("/sim/users/abc"), 400, "id");
        assertSimError(post("/sim/users/abc/send", "{\"bot\":" + BOT_ID + ",\"text\":\"hi\"}"), 400, "id");
        assertSimError(post("/sim/groups/x1/members", "{\"user\":" + user + "}"), 400, "id");
        assertSimError(get("/sim/users/" + user + "/inbox?bot=abc"), 400, "number");
        assertSimError(get("/sim/users/" + user + "/inbox?bot=" + BOT_ID + "&after=later"), 400, "number");
        assertSimError(get("/sim/trace?after=soon"), 400, "number");
        assertSimError(post("/sim/users/" + user + "/edit", "{\"bot\":" + BOT_ID + ",\"message_id\":\"x\",\"text\":\"t\"}"),
                400, "message_id");
        assertSimError(post("/sim/users/" + user + "/press", "{\"bot\":" + BOT_ID + ",\"data\":\"yes\"}"), 400,
                "message_id");
        assertSimError(post("/sim/users/" + user + "/react", "{\"bot\":" + BOT_ID + ",\"message_id\":9999,\"emoji\":\"👍\"}"),
                400, "9999");
        assertSimError(post("/sim/users/" + user + "/pay", "{\"bot\":" + BOT_ID + ",\"message_id\":1}"), 400, "invoice");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"text\":\"hi\",\"reply_to\":9999}"),
                400, "9999");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"chat\":-55,\"text\":\"hi\"}"),
                404, "-55");
        assertSimError(post("/sim/groups", "{\"title\":\"G\",\"type\":\"group\",\"members\":{\"alice\":\"member\"}}"),
                400, "members");
        assertSimError(post("/sim/groups", "{\"title\":\"G\",\"type\":\"forum\"}"), 400, "type");
    }

    @Test
    void sim_groupWithInvalidMemberStatus_isRefusedAndNotCreated() throws Exception {
        start();
        long user = createUser("Ada");
        long first = sim("/sim/groups", "{\"title\":\"A\",\"type\":\"supergroup\"}").get("id").asLong();
        assertSimError(post("/sim/groups", "{\"title\":\"B\",\"type\":\"supergroup\",\"members\":{\"" + user
                + "\":\"owner\"}}"), 400, "status");
        long next = sim("/sim/groups", "{\"title\":\"C\",\"type\":\"supergroup\"}").get("id").asLong();
        assertThat(next).as("the refused group used no id").isEqualTo(first - 1);
        assertSimError(post("/sim/groups/" + first + "/members", "{\"user\":" + user + ",\"status\":\"boss\"}"), 400,
                "status");
        assertSimError(post("/sim/groups/" + first + "/members", "{\"status\":\"member\"}"), 400, "user or bot");
    }

    @Test
    void sim_unknownPath_is404WithSimError() throws Exception {
        start();
        assertSimError(get("/sim/nothing-here"), 404, "/sim/nothing-here");
        assertSimError(post("/sim/users/1/dance", "{}"), 404, "/sim/users/1/dance");
        assertSimError(get("/sim/users"), 404, "/sim/users");
    }

    @Test
    void sim_emptySend_is400() throws Exception {
        start();
        long user = startedUser();
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + "}"), 400, "nothing to send");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"text\":\"\"}"), 400, "empty");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"location\":\"here\"}"), 400,
                "latitude");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID + ",\"album\":[{\"photo\":\"a\"}]}"),
                400, "album");
        assertSimError(post("/sim/users", "{}"), 400, "first_name");
        assertThat(poll()).isEmpty();
    }

    @Test
    void sim_dataUrlNotBase64_is400() throws Exception {
        start();
        long user = startedUser();
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID
                + ",\"photo\":\"data:image/png,not-base64\"}"), 400, "base64");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID
                + ",\"document\":\"data:application/pdf;base64,@@@###\"}"), 400, "base64");
        assertSimError(post("/sim/users/" + user + "/send", "{\"bot\":" + BOT_ID
                + ",\"photo\":\"data:image/png;base64," + Base64.getEncoder().encodeToString("not a picture".getBytes(
                StandardCharsets.UTF_8)) + "\"}"), 400, "photo");
        assertThat(poll()).isEmpty();
    }

    // ---- operations: stats, faults, trace, flood ----

    @Test
    void stats_afterCalls_countsPerMethodAndStatus() throws Exception {
        start();
        long user = startedUser();
        callOk("getMe", "{}");
        callOk("getMe", "{}");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"hi\"}");
        assertError(call("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"\"}"), 400,
                "Bad Request: message text is empty");

        JsonNode stats = simGet("/sim/stats");
        JsonNode calls = stats.get("calls");
        assertThat(calls.path("getme").path("200").asLong()).isEqualTo(2);
        assertThat(calls.path("sendmessage").path("200").asLong()).isEqualTo(1);
        assertThat(calls.path("sendmessage").path("400").asLong()).isEqualTo(1);
        assertThat(calls.path("getupdates").path("200").asLong()).isEqualTo(1);
        assertThat(stats.path("bots").asInt()).isEqualTo(1);
        assertThat(stats.path("users").asInt()).isEqualTo(1);

        // the /start update was delivered but is only confirmed by the next getUpdates
        assertThat(stats.path("pending_updates").path(Long.toString(BOT_ID)).asInt()).isEqualTo(1);
        assertThat(poll()).isEmpty();
        assertThat(simGet("/sim/stats").path("pending_updates").path(Long.toString(BOT_ID)).asInt()).isZero();
        userSends(user, "\"text\":\"pending\"");
        assertThat(simGet("/sim/stats").path("pending_updates").path(Long.toString(BOT_ID)).asInt()).isEqualTo(1);
    }

    @Test
    void faults_serverErrorRateOne_botGets500UntilRestored() throws Exception {
        start();
        long user = startedUser();
        JsonNode settings = sim("/sim/faults", "{\"server_error_rate\":1.0}");
        assertThat(settings.path("server_error_rate").asDouble()).isEqualTo(1.0);
        assertThat(simGet("/sim/faults").path("server_error_rate").asDouble()).isEqualTo(1.0);

        assertError(call("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"hi\"}"), 500,
                "Internal Server Error: restart");
        assertError(call("getMe", "{}"), 500, "Internal Server Error: restart");
        // the simulation API itself is not subject to faults
        userSends(user, "\"text\":\"still here\"");

        assertThat(sim("/sim/faults", "{\"server_error_rate\":0}").path("server_error_rate").asDouble()).isZero();
        assertThat(pollOne().path("message").path("text").asText()).isEqualTo("still here");
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"hi\"}");
        assertThat(simGet("/sim/stats").path("calls").path("sendmessage").path("500").asLong()).isEqualTo(1);
        assertThat(simGet("/sim/users/" + user + "/inbox?bot=" + BOT_ID)).hasSize(1);
    }

    @Test
    void faults_invalidRate_is400AndSettingsUnchanged() throws Exception {
        start();
        assertSimError(post("/sim/faults", "{\"server_error_rate\":1.5}"), 400, "between 0 and 1");
        assertSimError(post("/sim/faults", "{\"bad_gateway_rate\":-0.1}"), 400, "between 0 and 1");
        assertSimError(post("/sim/faults", "{\"latency\":{\"kind\":\"gamma\",\"mean_ms\":5}}"), 400, "latency kind");
        assertSimError(post("/sim/faults", "{\"storm_retry_after\":0}"), 400, "storm_retry_after");
        JsonNode settings = simGet("/sim/faults");
        assertThat(settings.path("server_error_rate").asDouble()).isZero();
        assertThat(settings.path("bad_gateway_rate").asDouble()).isZero();
        assertThat(settings.path("latency").path("kind").asText()).isEqualTo("none");
        callOk("getMe", "{}");
    }

    @Test
    void trace_updateDeliveredThenBotCall_inOrderWithIncreasingTime() throws Exception {
        start();
        long user = startedUser();
        long after = 0;
        for (JsonNode event : simGet("/sim/trace")) {
            after = Math.max(after, event.get("seq").asLong());
        }
        JsonNode sent = userSends(user, "\"text\":\"ping\"");
        long updateId = sent.get("update_id").asLong();
        assertThat(pollOne().get("update_id").asLong()).isEqualTo(updateId);
        JsonNode reply = callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"pong\"}");

        JsonNode trace = simGet("/sim/trace?after=" + after);
        JsonNode delivered = null;
        JsonNode sendCall = null;
        for (JsonNode event : trace) {
            assertThat(event.get("seq").asLong()).isGreaterThan(after);
            if (event.path("kind").asText().equals("delivered") && event.path("updateId").asLong() == updateId) {
                delivered = event;
            }
            if (event.path("kind").asText().equals("call") && event.path("method").asText().equals("sendmessage")) {
                sendCall = event;
            }
        }
        assertThat(delivered).as(trace.toString()).isNotNull();
        assertThat(sendCall).as(trace.toString()).isNotNull();
        assertThat(delivered.path("botId").asLong()).isEqualTo(BOT_ID);
        assertThat(delivered.path("chatId").asLong()).isEqualTo(user);
        assertThat(sendCall.path("botId").asLong()).isEqualTo(BOT_ID);
        assertThat(sendCall.path("chatId").asLong()).isEqualTo(user);
        assertThat(sendCall.path("status").asInt()).isEqualTo(200);
        assertThat(sendCall.path("messageId").asInt()).isEqualTo(reply.get("message_id").asInt());
        assertThat(sendCall.path("seq").asLong()).isGreaterThan(delivered.path("seq").asLong());
        assertThat(sendCall.path("atMicros").asLong()).isGreaterThan(delivered.path("atMicros").asLong());

        JsonNode limited = simGet("/sim/trace?after=" + after + "&max=1");
        assertThat(limited).hasSize(1);
        assertThat(limited.get(0).get("seq").asLong()).isEqualTo(trace.get(0).get("seq").asLong());
    }

    @Test
    void flood_post_changesLimitsAtRunTime() throws Exception {
        start();
        long user = startedUser();
        assertThat(simGet("/sim/flood").path("enabled").asBoolean()).isFalse();
        for (int i = 0; i < 5; i++) {
            callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"free " + i + "\"}");
        }

        JsonNode limits = sim("/sim/flood", "{\"enabled\":true,\"perChatPerSecond\":0.5,\"perChatBurst\":1}");
        assertThat(limits.path("enabled").asBoolean()).isTrue();
        assertThat(limits.path("perChatBurst").asInt()).isEqualTo(1);
        assertThat(limits.path("perGroupPerMinute").asInt()).isEqualTo(20);
        assertThat(simGet("/sim/flood").path("perChatPerSecond").asDouble()).isEqualTo(0.5);
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"limited 1\"}");
        HttpResponse<String> limited = call("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"limited 2\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(body(limited).path("parameters").path("retry_after").asInt()).isBetween(1, 2);

        assertSimError(post("/sim/flood", "{\"perBotPerSecond\":0}"), 400, "positive");
        assertSimError(post("/sim/flood", "{\"perChatPerSecond\":\"NaN\"}"), 400, "positive");
        assertSimError(post("/sim/flood", "{\"perGroupPerMinute\":-1}"), 400, "positive");
        assertSimError(post("/sim/flood", "{\"perChatBurst\":0}"), 400, "burst");
        assertThat(simGet("/sim/flood").path("perChatPerSecond").asDouble()).isEqualTo(0.5);
        assertThat(sim("/sim/flood", "{\"enabled\":false}").path("enabled").asBoolean()).isFalse();
        callOk("sendMessage", "{\"chat_id\":" + user + ",\"text\":\"free again\"}");
    }

    @Test
    void botsUpdates_injected_deliveredWithNextUpdateId() throws Exception {
        start();
        long user = startedUser();
        JsonNode injected = sim("/sim/bots/" + BOT_ID + "/updates", "{\"update_id\":1,\"message\":{\"message_id\":77,"
                + "\"date\":1,\"chat\":{\"id\":" + user + ",\"type\":\"private\"},\"text\":\"crafted\"}}");
        JsonNode update = pollOne();
        assertThat(update.get("update_id").asLong()).isEqualTo(injected.get("update_id").asLong()).isNotEqualTo(1);
        assertThat(update.path("message").path("text").asText()).isEqualTo("crafted");
        assertThat(poll()).isEmpty();
        assertThat(simGet("/sim/stats").path("pending_updates").path(Long.toString(BOT_ID)).asInt()).isZero();
    }

    @Test
    void send_whileBotLongPolls_wakesTheLongPoll() throws Exception {
        start();
        long user = startedUser();
        CompletableFuture<HttpResponse<String>> longPoll = http.sendAsync(HttpRequest.newBuilder(URI.create(
                        emulator.baseUrl() + "/bot" + TOKEN + "/getUpdates?timeout=20&offset=" + offset)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertThat(longPoll).isNotDone();
        userSends(user, "\"text\":\"wake up\"");
        await().atMost(Duration.ofSeconds(5)).until(longPoll::isDone);
        JsonNode updates = assertOk(longPoll.get());
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).path("message").path("text").asText()).isEqualTo("wake up");
    }
}

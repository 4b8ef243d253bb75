package dev.telescale.runtime.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.runtime.bot.BotToken;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BotApiClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BotToken TOKEN = new BotToken("123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");

    private Emulator emulator;
    private Simulator sim;
    private BotApiClient client;
    private long userId;

    @BeforeEach
    void startEmulator() {
        emulator = Emulator.start(EmulatorConfig.defaults());
        sim = emulator.sim();
        sim.registerBot(TOKEN.value());
        userId = sim.createUser("Ann", null, null, null, false).id();
        sim.start(userId, TOKEN.botId(), null);
        client = new BotApiClient(emulator.baseUrl(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stopEmulator() {
        client.close();
        emulator.close();
    }

    private ObjectNode text(long chatId, String text) {
        ObjectNode params = JSON.createObjectNode();
        params.put("chat_id", chatId);
        params.put("text", text);
        return params;
    }

    private void faults(double serverError, double badGateway, double reset, double tooMany) {
        emulator.faults().update(new FaultSettings(LatencyDistribution.none(), serverError, badGateway, reset, tooMany,
                1, 0));
    }

    @Test
    void call_success_isOkWithTheMessage() {
        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Ok.class, ok -> {
            assertThat(ok.result().path("text").asText()).isEqualTo("hello");
            assertThat(ok.result().path("message_id").asInt()).isPositive();
        });
        assertThat(sim.inbox(userId, TOKEN.botId(), 0, 0)).hasSize(1);
    }

    @Test
    void call_tooManyRequests_isRetryAfter() {
        faults(0, 0, 0, 1);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isEqualTo(new ApiResult.RetryAfter(1, "Too Many Requests: retry after 1"));
    }

    @Test
    void call_floodLimitOfTheChat_isRetryAfter() {
        ApiResult last = null;
        for (int i = 0; i < 5 && !(last instanceof ApiResult.RetryAfter); i++) {
            last = client.call(TOKEN, "sendMessage", text(userId, "m" + i));
        }

        assertThat(last).isInstanceOfSatisfying(ApiResult.RetryAfter.class,
                retry -> assertThat(retry.seconds()).isPositive());
    }

    @Test
    void call_nginxBadGatewayPage_isTransient() {
        faults(0, 1, 0, 0);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Transient.class,
                failure -> assertThat(failure.reason()).contains("502").contains("Bad Gateway"));
    }

    @Test
    void call_internalServerError_isTransient() {
        faults(1, 0, 0, 0);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Transient.class,
                failure -> assertThat(failure.reason()).contains("500").contains("restart"));
    }

    @Test
    void call_connectionReset_isTransient() {
        faults(0, 0, 1, 0);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Transient.class,
                failure -> assertThat(failure.reason()).startsWith("network").doesNotContain(TOKEN.value()));
    }

    @Test
    void call_connectionRefused_isTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (BotApiClient nowhere = new BotApiClient("http://127.0.0.1:" + closedPort, Duration.ofSeconds(2))) {
            assertThat(nowhere.call(TOKEN, "getMe", null)).isInstanceOf(ApiResult.Transient.class);
        }
    }

    @Test
    void call_slowerThanTheTimeout_isTransient() {
        emulator.faults().update(new FaultSettings(new LatencyDistribution("fixed", 1_000, 0, 1_000), 0, 0, 0, 0, 1, 0));
        try (BotApiClient impatient = new BotApiClient(emulator.baseUrl(), Duration.ofMillis(200))) {
            ApiResult result = impatient.call(TOKEN, "sendMessage", text(userId, "hello"));

            assertThat(result).isInstanceOfSatisfying(ApiResult.Transient.class,
                    failure -> assertThat(failure.reason()).startsWith("timeout"));
        }
    }

    @Test
    void call_blockedUser_isUnreachableBlocked() {
        sim.setBlocked(userId, TOKEN.botId(), true);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isEqualTo(new ApiResult.Unreachable(403, "Forbidden: bot was blocked by the user",
                ApiResult.Unreachable.Reason.BLOCKED));
    }

    @Test
    void call_userWhoNeverStarted_isUnreachableNotStarted() {
        long stranger = sim.createUser("Bob", null, null, null, false).id();

        ApiResult result = client.call(TOKEN, "sendMessage", text(stranger, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Unreachable.class,
                why -> assertThat(why.reason()).isEqualTo(ApiResult.Unreachable.Reason.NOT_STARTED));
    }

    @Test
    void call_deactivatedUser_isUnreachableDeactivated() {
        sim.deactivate(userId);

        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, "hello"));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Unreachable.class,
                why -> assertThat(why.reason()).isEqualTo(ApiResult.Unreachable.Reason.DEACTIVATED));
    }

    @Test
    void call_groupTheBotWasKickedFrom_isUnreachableKicked() {
        long groupId = sim.createGroup("Club", "supergroup", null, Map.of(TOKEN.botId(), "kicked")).id();

        ApiResult result = client.call(TOKEN, "sendMessage", text(groupId, "hello"));

        assertThat(result).isEqualTo(new ApiResult.Unreachable(403, "Forbidden: bot was kicked from the supergroup chat",
                ApiResult.Unreachable.Reason.KICKED));
    }

    @Test
    void call_emptyText_isRejected() {
        ApiResult result = client.call(TOKEN, "sendMessage", text(userId, ""));

        assertThat(result).isEqualTo(new ApiResult.Rejected(400, "Bad Request: message text is empty"));
    }

    @Test
    void call_unknownMethod_isRejected() {
        assertThat(client.call(TOKEN, "sendTelepathy", text(userId, "hi")))
                .isEqualTo(new ApiResult.Rejected(404, "Not Found: method not found"));
    }

    @Test
    void call_longPollWithTimeoutOverride_waitsForTheUpdate() {
        ObjectNode params = JSON.createObjectNode();
        params.put("timeout", 1);

        ApiResult result = client.call(TOKEN, "getUpdates", params, Duration.ofSeconds(10));

        assertThat(result).isInstanceOfSatisfying(ApiResult.Ok.class, ok -> {
            assertThat(ok.result().isArray()).isTrue();
            assertThat(ok.result().get(0).path("message").path("text").asText()).isEqualTo("/start");
        });
    }

    @Test
    void callMultipart_photo_isUploadedAndDownloadsIdentically() throws IOException {
        byte[] png = png(64, 48);
        ObjectNode params = JSON.createObjectNode();
        params.put("chat_id", userId);
        params.put("caption", "a \"quoted\" caption\r\nwith a line break");
        params.set("reply_markup", JSON.readTree("{\"inline_keyboard\":[[{\"text\":\"ok\",\"callback_data\":\"x\"}]]}"));

        ApiResult sent = client.callMultipart(TOKEN, "sendPhoto", params,
                Map.of("photo", new FilePart("pic \"1\".png", "image/png", png)));

        assertThat(sent).isInstanceOf(ApiResult.Ok.class);
        JsonNode message = ((ApiResult.Ok) sent).result();
        assertThat(message.path("caption").asText()).isEqualTo("a \"quoted\" caption\r\nwith a line break");
        assertThat(message.path("reply_markup").path("inline_keyboard").get(0).get(0).path("text").asText())
                .isEqualTo("ok");
        JsonNode largest = message.path("photo").get(message.path("photo").size() - 1);
        assertThat(largest.path("width").asInt()).isEqualTo(64);

        ObjectNode getFile = JSON.createObjectNode();
        getFile.put("file_id", largest.path("file_id").asText());
        ApiResult file = client.call(TOKEN, "getFile", getFile);
        assertThat(file).isInstanceOf(ApiResult.Ok.class);
        String path = ((ApiResult.Ok) file).result().path("file_path").asText();

        assertThat(client.download(TOKEN, path)).isEqualTo(png);
    }

    @Test
    void download_unknownPath_throwsWithoutTheToken() {
        assertThatThrownBy(() -> client.download(TOKEN, "photos/nothing.jpg"))
                .isInstanceOfSatisfying(TelegramException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).contains(TOKEN.redacted()).doesNotContain(TOKEN.value());
                });
    }

    @Test
    void classify_oddAnswers() {
        assertThat(BotApiClient.classify(200, OptionalInt.empty(), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiResult.Ok.class);
        assertThat(BotApiClient.classify(429, OptionalInt.of(7), "<html>busy</html>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiResult.RetryAfter.class, r -> assertThat(r.seconds()).isEqualTo(7));
        assertThat(BotApiClient.classify(200, OptionalInt.empty(), "{\"ok\":tr".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiResult.Transient.class);
        assertThat(BotApiClient.classify(504, OptionalInt.empty(), new byte[0]))
                .isInstanceOf(ApiResult.Transient.class);
        assertThat(BotApiClient.classify(401, OptionalInt.empty(),
                "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new ApiResult.Rejected(401, "Unauthorized"));
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                image.setRGB(x, y, new Color(x * 4 % 256, y * 5 % 256, 128).getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}

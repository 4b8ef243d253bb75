package dev.telescale.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pengrad.telegrambot.TelegramBot;
import com.pengrad.telegrambot.model.message.origin.MessageOriginUser;
import com.pengrad.telegrambot.model.request.InputMediaPhoto;
import com.pengrad.telegrambot.model.request.InputMediaVideo;
import com.pengrad.telegrambot.request.AnswerCallbackQuery;
import com.pengrad.telegrambot.request.CopyMessage;
import com.pengrad.telegrambot.request.DeleteMessage;
import com.pengrad.telegrambot.request.DeleteWebhook;
import com.pengrad.telegrambot.request.EditMessageText;
import com.pengrad.telegrambot.request.ForwardMessage;
import com.pengrad.telegrambot.request.GetFile;
import com.pengrad.telegrambot.request.GetMe;
import com.pengrad.telegrambot.request.GetUpdates;
import com.pengrad.telegrambot.request.GetWebhookInfo;
import com.pengrad.telegrambot.request.SendAnimation;
import com.pengrad.telegrambot.request.SendAudio;
import com.pengrad.telegrambot.request.SendContact;
import com.pengrad.telegrambot.request.SendDice;
import com.pengrad.telegrambot.request.SendDocument;
import com.pengrad.telegrambot.request.SendLocation;
import com.pengrad.telegrambot.request.SendMediaGroup;
import com.pengrad.telegrambot.request.SendMessage;
import com.pengrad.telegrambot.request.SendPhoto;
import com.pengrad.telegrambot.request.SendSticker;
import com.pengrad.telegrambot.request.SendVideo;
import com.pengrad.telegrambot.request.SendVideoNote;
import com.pengrad.telegrambot.request.SendVoice;
import com.pengrad.telegrambot.request.SetWebhook;
import com.pengrad.telegrambot.response.BaseResponse;
import com.pengrad.telegrambot.response.GetFileResponse;
import com.pengrad.telegrambot.response.GetMeResponse;
import com.pengrad.telegrambot.response.GetUpdatesResponse;
import com.pengrad.telegrambot.response.GetWebhookInfoResponse;
import com.pengrad.telegrambot.response.MessageIdResponse;
import com.pengrad.telegrambot.response.MessagesResponse;
import com.pengrad.telegrambot.response.SendResponse;
import com.pengrad.telegrambot.utility.BotUtils;
import com.sun.net.httpserver.HttpServer;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.sim.SimResult;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.emulator.state.SimUser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.api.objects.MessageId;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.WebhookInfo;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/**
 * Drives the emulator with two independent, unmodified Bot API client libraries (pengrad's
 * java-telegram-bot-api and TelegramBots' OkHttp client), changing only their base URL.
 */
class ClientLibrariesTest {
    private static final AtomicLong NEXT_BOT_ID = new AtomicLong(710_001);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Emulator emulator;
    private static Simulator sim;

    @BeforeAll
    static void startEmulator() {
        emulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.off()));
        sim = emulator.sim();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    // ---------------------------------------------------------------- fixtures

    /** A fresh bot and a fresh user who has started it. */
    private record Chat(Bot bot, String token, SimUser user) {
        long userId() {
            return user.id();
        }

        long botId() {
            return bot.id();
        }
    }

    private static String newToken() {
        long id = NEXT_BOT_ID.getAndIncrement();
        return id + ":AAH" + Long.toHexString(id * 7919L) + "_secretTokenPartXyZ012345";
    }

    private static Chat newChat(String name, boolean start) {
        String token = newToken();
        Bot bot = sim.registerBot(token);
        SimUser user = sim.createUser(name, null, null, "en", false);
        if (start) {
            sim.start(user.id(), bot.id(), "payload");
        }
        return new Chat(bot, token, user);
    }

    private static TelegramBot pengrad(String token) {
        return new TelegramBot.Builder(token).apiUrl(emulator.baseUrl() + "/bot")
                .fileApiUrl(emulator.baseUrl() + "/file/bot").build();
    }

    private static OkHttpTelegramClient telegrambots(String token) {
        return new OkHttpTelegramClient(token, new TelegramUrl("http", "127.0.0.1", emulator.port(), false));
    }

    private static byte[] png(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.drawLine(0, 0, width - 1, height - 1);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] fakeBytes(String label, int size) {
        byte[] bytes = new byte[size];
        byte[] seed = label.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed[i % seed.length] + i);
        }
        return bytes;
    }

    private static InputFile upload(byte[] bytes, String name) {
        return new InputFile(new ByteArrayInputStream(bytes), name);
    }

    private static ObjectNode text(String text) {
        ObjectNode node = Json.object();
        node.put("text", text);
        return node;
    }

    private static List<InboxEvent> inbox(Chat chat) {
        return sim.inbox(chat.userId(), chat.botId(), 0, 0);
    }

    private static InboxEvent inboxMessage(Chat chat, int messageId) {
        return inbox(chat).stream().filter(e -> e.event().equals("message") && e.messageId() == messageId)
                .findFirst().orElseThrow(() -> new AssertionError("no inbox message " + messageId + " in " + inbox(chat)));
    }

    private static byte[] download(String token, String filePath) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(emulator.baseUrl() + "/file/bot" + token + "/" + filePath)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static <T extends BaseResponse> T ok(T response) {
        assertThat(response.isOk()).as("%s", response).isTrue();
        return response;
    }

    private static void assertError(BaseResponse response, int code, String description) {
        assertThat(response.isOk()).isFalse();
        assertThat(response.errorCode()).isEqualTo(code);
        assertThat(response.description()).isEqualTo(description);
    }

    private static void assertError(ThrowingCall call, int code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(TelegramApiRequestException.class, e -> {
            assertThat(e.getErrorCode()).isEqualTo(code);
            assertThat(e.getApiResponse()).isEqualTo(description);
        });
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    /** A local webhook receiver that records every POST. */
    private static final class Hook implements AutoCloseable {
        record Delivery(String secret, String body) {
        }

        final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
        final HttpServer server;

        Hook() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst("X-Telegram-Bot-Api-Secret-Token"),
                            body));
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        Delivery awaitContaining(String marker) {
            await().atMost(Duration.ofSeconds(15)).until(
                    () -> deliveries.stream().anyMatch(d -> d.body().contains(marker)));
            return deliveries.stream().filter(d -> d.body().contains(marker)).findFirst().orElseThrow();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- getMe

    @Test
    void getMe_pengradSeesTheRegisteredBot() {
        Chat chat = newChat("Alice", false);
        GetMeResponse me = ok(pengrad(chat.token()).execute(new GetMe()));
        assertThat(me.user().id()).isEqualTo(chat.botId());
        assertThat(me.user().isBot()).isTrue();
        assertThat(me.user().firstName()).isNotBlank();
        assertThat(me.user().username()).isNotBlank();
    }

    @Test
    void getMe_telegrambotsSeesTheRegisteredBot() throws Exception {
        Chat chat = newChat("Alice", false);
        User me = telegrambots(chat.token()).execute(new org.telegram.telegrambots.meta.api.methods.GetMe());
        assertThat(me.getId()).isEqualTo(chat.botId());
        assertThat(me.getIsBot()).isTrue();
        assertThat(me.getUserName()).isNotBlank();
    }

    // ---------------------------------------------------------------- long polling

    @Test
    void getUpdates_pengradConfirmsWithOffset() {
        Chat chat = newChat("Bob", true);
        TelegramBot bot = pengrad(chat.token());
        sim.send(chat.userId(), chat.botId(), 0, text("first"));
        sim.send(chat.userId(), chat.botId(), 0, text("second"));

        GetUpdatesResponse all = ok(bot.execute(new GetUpdates()));
        assertThat(all.updates()).extracting(u -> u.message().text()).containsExactly("/start payload", "first", "second");
        assertThat(all.updates().get(1).message().from().id()).isEqualTo(chat.userId());
        assertThat(all.updates().get(1).message().chat().id()).isEqualTo(chat.userId());

        int confirm = all.updates().get(1).updateId() + 1;
        GetUpdatesResponse rest = ok(bot.execute(new GetUpdates().offset(confirm)));
        assertThat(rest.updates()).extracting(u -> u.message().text()).containsExactly("second");

        int last = rest.updates().getLast().updateId();
        assertThat(ok(bot.execute(new GetUpdates().offset(last + 1))).updates()).isEmpty();
        assertThat(ok(bot.execute(new GetUpdates())).updates()).isEmpty();
    }

    @Test
    void getUpdates_pengradLongPollReturnsWhenTheUserWrites() throws Exception {
        Chat chat = newChat("Bob", true);
        TelegramBot bot = pengrad(chat.token());
        List<com.pengrad.telegrambot.model.Update> pending = ok(bot.execute(new GetUpdates())).updates();
        int offset = pending.getLast().updateId() + 1;
        ok(bot.execute(new GetUpdates().offset(offset)));

        long started = System.nanoTime();
        CompletableFuture<GetUpdatesResponse> poll = CompletableFuture.supplyAsync(
                () -> bot.execute(new GetUpdates().offset(offset).timeout(20)));
        Thread.sleep(500);
        assertThat(poll).isNotDone();
        sim.send(chat.userId(), chat.botId(), 0, text("wake up"));
        GetUpdatesResponse response = ok(poll.get(10, TimeUnit.SECONDS));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(response.updates()).extracting(u -> u.message().text()).containsExactly("wake up");
    }

    @Test
    void getUpdates_telegrambotsConfirmsWithOffset() throws Exception {
        Chat chat = newChat("Bob", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        sim.send(chat.userId(), chat.botId(), 0, text("first"));

        var all = new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates();
        List<Update> updates = client.execute(all);
        assertThat(updates).extracting(u -> u.getMessage().getText()).containsExactly("/start payload", "first");
        assertThat(updates.get(1).getMessage().getFrom().getId()).isEqualTo(chat.userId());

        var confirm = new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates();
        confirm.setOffset(updates.getLast().getUpdateId() + 1);
        assertThat(client.execute(confirm)).isEmpty();
        assertThat(client.execute(new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates())).isEmpty();
    }

    @Test
    void getUpdates_telegrambotsLongPollReturnsWhenTheUserWrites() throws Exception {
        Chat chat = newChat("Bob", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        List<Update> pending = client.execute(new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates());
        int offset = pending.getLast().getUpdateId() + 1;

        var longPoll = new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates();
        longPoll.setOffset(offset);
        longPoll.setTimeout(8); // OkHttp's default read timeout is 10 s
        long started = System.nanoTime();
        CompletableFuture<List<Update>> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return client.execute(longPoll);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(poll).isNotDone();
        sim.send(chat.userId(), chat.botId(), 0, text("wake up"));
        List<Update> updates = poll.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(7));
        assertThat(updates).extracting(u -> u.getMessage().getText()).containsExactly("wake up");
    }

    // ---------------------------------------------------------------- webhooks

    @Test
    void setWebhook_pengradReceivesUpdatesWithTheSecretToken() throws Exception {
        Chat chat = newChat("Carol", true);
        TelegramBot bot = pengrad(chat.token());
        try (Hook hook = new Hook()) {
            ok(bot.execute(new SetWebhook().url(hook.url()).secretToken("pengrad-secret_1")));
            GetWebhookInfoResponse info = ok(bot.execute(new GetWebhookInfo()));
            assertThat(info.webhookInfo().url()).isEqualTo(hook.url());

            sim.send(chat.userId(), chat.botId(), 0, text("via webhook"));
            Hook.Delivery delivery = hook.awaitContaining("via webhook");
            assertThat(delivery.secret()).isEqualTo("pengrad-secret_1");
            com.pengrad.telegrambot.model.Update update = BotUtils.parseUpdate(delivery.body());
            assertThat(update.updateId()).isNotNull();
            assertThat(update.message().text()).isEqualTo("via webhook");
            assertThat(update.message().from().id()).isEqualTo(chat.userId());

            // while a webhook is set, getUpdates is refused
            assertThat(bot.execute(new GetUpdates()).errorCode()).isEqualTo(409);

            ok(bot.execute(new DeleteWebhook()));
            assertThat(ok(bot.execute(new GetWebhookInfo())).webhookInfo().url()).isEmpty();
            sim.send(chat.userId(), chat.botId(), 0, text("after webhook"));
            assertThat(ok(bot.execute(new GetUpdates())).updates()).extracting(u -> u.message().text())
                    .contains("after webhook");
        }
    }

    @Test
    void setWebhook_telegrambotsReceivesUpdatesWithTheSecretToken() throws Exception {
        Chat chat = newChat("Carol", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        try (Hook hook = new Hook()) {
            assertThat(client.execute(org.telegram.telegrambots.meta.api.methods.updates.SetWebhook.builder()
                    .url(hook.url()).secretToken("tb-secret_2").build())).isTrue();
            WebhookInfo info = client.execute(new org.telegram.telegrambots.meta.api.methods.updates.GetWebhookInfo());
            assertThat(info.getUrl()).isEqualTo(hook.url());

            sim.send(chat.userId(), chat.botId(), 0, text("tb webhook"));
            Hook.Delivery delivery = hook.awaitContaining("tb webhook");
            assertThat(delivery.secret()).isEqualTo("tb-secret_2");
            Update update = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .readValue(delivery.body(), Update.class);
            assertThat(update.getUpdateId()).isNotNull();
            assertThat(update.getMessage().getText()).isEqualTo("tb webhook");
            assertThat(update.getMessage().getChatId()).isEqualTo(chat.userId());

            assertThat(client.execute(new org.telegram.telegrambots.meta.api.methods.updates.DeleteWebhook())).isTrue();
            assertThat(client.execute(new org.telegram.telegrambots.meta.api.methods.updates.GetWebhookInfo()).getUrl())
                    .isEmpty();
        }
    }

    // ---------------------------------------------------------------- media by upload and by file_id

    @Test
    void sendMedia_pengradUploadsEveryKindAndTheUserSeesThem() throws Exception {
        Chat chat = newChat("Dave", true);
        TelegramBot bot = pengrad(chat.token());
        long to = chat.userId();
        byte[] photoBytes = png(64, 48, Color.BLUE);

        SendResponse photo = ok(bot.execute(new SendPhoto(to, photoBytes).caption("a photo")));
        assertThat(photo.message().photo()).isNotEmpty();
        assertThat(photo.message().caption()).isEqualTo("a photo");
        SendResponse document = ok(bot.execute(new SendDocument(to, fakeBytes("doc", 300)).fileName("report.txt")));
        assertThat(document.message().document().fileId()).isNotBlank();
        SendResponse video = ok(bot.execute(new SendVideo(to, fakeBytes("video", 500))));
        assertThat(video.message().video().fileId()).isNotBlank();
        SendResponse audio = ok(bot.execute(new SendAudio(to, fakeBytes("audio", 400))));
        assertThat(audio.message().audio().fileId()).isNotBlank();
        SendResponse voice = ok(bot.execute(new SendVoice(to, fakeBytes("voice", 200))));
        assertThat(voice.message().voice().fileId()).isNotBlank();
        SendResponse animation = ok(bot.execute(new SendAnimation(to, fakeBytes("gif", 250))));
        assertThat(animation.message().animation().fileId()).isNotBlank();
        SendResponse videoNote = ok(bot.execute(new SendVideoNote(to, fakeBytes("note", 250))));
        assertThat(videoNote.message().videoNote().fileId()).isNotBlank();
        SendResponse sticker = ok(bot.execute(new SendSticker(to, png(32, 32, Color.RED))));
        assertThat(sticker.message().sticker().fileId()).isNotBlank();

        assertThat(inboxMessage(chat, photo.message().messageId()).payload().path("photo").isArray()).isTrue();
        assertThat(inboxMessage(chat, photo.message().messageId()).payload().path("caption").asText()).isEqualTo("a photo");
        assertThat(inboxMessage(chat, document.message().messageId()).payload().path("document").path("file_name")
                .asText()).isEqualTo("report.txt");
        assertThat(inboxMessage(chat, video.message().messageId()).payload().has("video")).isTrue();
        assertThat(inboxMessage(chat, audio.message().messageId()).payload().has("audio")).isTrue();
        assertThat(inboxMessage(chat, voice.message().messageId()).payload().has("voice")).isTrue();
        assertThat(inboxMessage(chat, animation.message().messageId()).payload().has("animation")).isTrue();
        assertThat(inboxMessage(chat, videoNote.message().messageId()).payload().has("video_note")).isTrue();
        assertThat(inboxMessage(chat, sticker.message().messageId()).payload().has("sticker")).isTrue();

        // re-send by file_id: the same file comes back
        String photoId = photo.message().photo()[photo.message().photo().length - 1].fileId();
        SendResponse again = ok(bot.execute(new SendPhoto(to, photoId)));
        assertThat(again.message().photo()[again.message().photo().length - 1].fileUniqueId())
                .isEqualTo(photo.message().photo()[photo.message().photo().length - 1].fileUniqueId());
        SendResponse docAgain = ok(bot.execute(new SendDocument(to, document.message().document().fileId())));
        assertThat(docAgain.message().document().fileUniqueId()).isEqualTo(document.message().document().fileUniqueId());

        // getFile + download: the original bytes, via plain HTTP and via the library
        GetFileResponse file = ok(bot.execute(new GetFile(photoId)));
        assertThat(file.file().filePath()).isNotBlank();
        assertThat(download(chat.token(), file.file().filePath())).isEqualTo(photoBytes);
        assertThat(bot.getFileContent(file.file())).isEqualTo(photoBytes);
        GetFileResponse docFile = ok(bot.execute(new GetFile(document.message().document().fileId())));
        assertThat(download(chat.token(), docFile.file().filePath())).isEqualTo(fakeBytes("doc", 300));
    }

    @Test
    void sendMedia_telegrambotsUploadsEveryKindAndTheUserSeesThem() throws Exception {
        Chat chat = newChat("Dave", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());
        byte[] photoBytes = png(40, 30, Color.GREEN);

        Message photo = client.execute(org.telegram.telegrambots.meta.api.methods.send.SendPhoto.builder().chatId(to)
                .photo(upload(photoBytes, "photo.png")).caption("tb photo").build());
        assertThat(photo.getPhoto()).isNotEmpty();
        assertThat(photo.getCaption()).isEqualTo("tb photo");
        Message document = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendDocument(to,
                upload(fakeBytes("tbdoc", 321), "notes.txt")));
        assertThat(document.getDocument().getFileName()).isEqualTo("notes.txt");
        Message video = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendVideo(to,
                upload(fakeBytes("tbvideo", 500), "clip.mp4")));
        assertThat(video.getVideo().getFileId()).isNotBlank();
        Message audio = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendAudio(to,
                upload(fakeBytes("tbaudio", 400), "song.mp3")));
        assertThat(audio.getAudio().getFileId()).isNotBlank();
        Message voice = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendVoice(to,
                upload(fakeBytes("tbvoice", 200), "voice.ogg")));
        assertThat(voice.getVoice().getFileId()).isNotBlank();
        Message animation = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendAnimation(to,
                upload(fakeBytes("tbgif", 250), "anim.mp4")));
        assertThat(animation.getAnimation().getFileId()).isNotBlank();
        Message videoNote = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendVideoNote(to,
                upload(fakeBytes("tbnote", 250), "note.mp4")));
        assertThat(videoNote.getVideoNote().getFileId()).isNotBlank();
        Message sticker = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendSticker(to,
                upload(png(32, 32, Color.ORANGE), "sticker.webp")));
        assertThat(sticker.getSticker().getFileId()).isNotBlank();

        assertThat(inboxMessage(chat, photo.getMessageId()).payload().path("caption").asText()).isEqualTo("tb photo");
        assertThat(inboxMessage(chat, document.getMessageId()).payload().path("document").path("file_name").asText())
                .isEqualTo("notes.txt");
        assertThat(inboxMessage(chat, video.getMessageId()).payload().has("video")).isTrue();
        assertThat(inboxMessage(chat, audio.getMessageId()).payload().has("audio")).isTrue();
        assertThat(inboxMessage(chat, voice.getMessageId()).payload().has("voice")).isTrue();
        assertThat(inboxMessage(chat, animation.getMessageId()).payload().has("animation")).isTrue();
        assertThat(inboxMessage(chat, videoNote.getMessageId()).payload().has("video_note")).isTrue();
        assertThat(inboxMessage(chat, sticker.getMessageId()).payload().has("sticker")).isTrue();

        // by file_id
        String videoId = video.getVideo().getFileId();
        Message videoAgain = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendVideo(to,
                new InputFile(videoId)));
        assertThat(videoAgain.getVideo().getFileUniqueId()).isEqualTo(video.getVideo().getFileUniqueId());

        // getFile + download
        String photoId = photo.getPhoto().getLast().getFileId();
        org.telegram.telegrambots.meta.api.objects.File file = client.execute(
                new org.telegram.telegrambots.meta.api.methods.GetFile(photoId));
        // (TelegramBots' own downloadFile ignores TelegramUrl and always goes to api.telegram.org, so plain HTTP)
        assertThat(download(chat.token(), file.getFilePath())).isEqualTo(photoBytes);
    }

    @Test
    void sendMediaGroup_pengradSendsAnAlbum() {
        Chat chat = newChat("Erin", true);
        TelegramBot bot = pengrad(chat.token());
        MessagesResponse album = ok(bot.execute(new SendMediaGroup(chat.userId(),
                new InputMediaPhoto(png(20, 20, Color.CYAN)).caption("one"),
                new InputMediaVideo(fakeBytes("albumvideo", 300)).caption("two"))));
        assertThat(album.messages()).hasSize(2);
        assertThat(album.messages()[0].mediaGroupId()).isNotBlank().isEqualTo(album.messages()[1].mediaGroupId());
        assertThat(album.messages()[0].photo()).isNotEmpty();
        assertThat(album.messages()[1].video()).isNotNull();
        InboxEvent first = inboxMessage(chat, album.messages()[0].messageId());
        InboxEvent second = inboxMessage(chat, album.messages()[1].messageId());
        assertThat(first.payload().path("caption").asText()).isEqualTo("one");
        assertThat(second.payload().path("caption").asText()).isEqualTo("two");
        assertThat(first.payload().path("media_group_id").asText()).isEqualTo(album.messages()[0].mediaGroupId());
    }

    @Test
    void sendMediaGroup_telegrambotsSendsAnAlbum() throws Exception {
        Chat chat = newChat("Erin", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        var photo = new org.telegram.telegrambots.meta.api.objects.media.InputMediaPhoto(
                new ByteArrayInputStream(png(20, 20, Color.MAGENTA)), "a.png");
        photo.setCaption("uno");
        var photo2 = new org.telegram.telegrambots.meta.api.objects.media.InputMediaPhoto(
                new ByteArrayInputStream(png(24, 24, Color.YELLOW)), "b.png");
        photo2.setCaption("dos");
        List<Message> album = client.execute(org.telegram.telegrambots.meta.api.methods.send.SendMediaGroup.builder()
                .chatId(chat.userId()).medias(List.of(photo, photo2)).build());
        assertThat(album).hasSize(2);
        assertThat(album.get(0).getMediaGroupId()).isNotBlank().isEqualTo(album.get(1).getMediaGroupId());
        assertThat(inboxMessage(chat, album.get(0).getMessageId()).payload().path("caption").asText()).isEqualTo("uno");
        assertThat(inboxMessage(chat, album.get(1).getMessageId()).payload().path("caption").asText()).isEqualTo("dos");
    }

    // ---------------------------------------------------------------- location, contact, dice

    @Test
    void sendLocationContactDice_pengradDelivers() {
        Chat chat = newChat("Frank", true);
        TelegramBot bot = pengrad(chat.token());
        SendResponse location = ok(bot.execute(new SendLocation(chat.userId(), 52.52f, 13.405f)));
        assertThat(location.message().location().latitude()).isCloseTo(52.52f, org.assertj.core.data.Offset.offset(0.001f));
        SendResponse contact = ok(bot.execute(new SendContact(chat.userId(), "+15550001", "Grace")));
        assertThat(contact.message().contact().phoneNumber()).isEqualTo("+15550001");
        SendResponse dice = ok(bot.execute(new SendDice(chat.userId()).darts()));
        assertThat(dice.message().dice().emoji()).isEqualTo("🎯");
        assertThat(dice.message().dice().value()).isBetween(1, 6);
        for (int i = 0; i < 30; i++) { // the value is random: it must always be in range
            assertThat(ok(bot.execute(new SendDice(chat.userId()).slotMachine())).message().dice().value())
                    .isBetween(1, 64);
            assertThat(ok(bot.execute(new SendDice(chat.userId()))).message().dice().value()).isBetween(1, 6);
        }

        assertThat(inboxMessage(chat, location.message().messageId()).payload().path("location").path("latitude")
                .asDouble()).isCloseTo(52.52, org.assertj.core.data.Offset.offset(0.001));
        assertThat(inboxMessage(chat, contact.message().messageId()).payload().path("contact").path("first_name")
                .asText()).isEqualTo("Grace");
        assertThat(inboxMessage(chat, dice.message().messageId()).payload().path("dice").path("value").asInt())
                .isEqualTo(dice.message().dice().value());
    }

    @Test
    void sendLocationContactDice_telegrambotsDelivers() throws Exception {
        Chat chat = newChat("Frank", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());
        Message location = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendLocation(to, 48.85, 2.35));
        assertThat(location.getLocation().getLatitude()).isCloseTo(48.85, org.assertj.core.data.Offset.offset(0.001));
        Message contact = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendContact(to,
                "+15550002", "Heidi"));
        assertThat(contact.getContact().getFirstName()).isEqualTo("Heidi");
        Message dice = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendDice(to));
        assertThat(dice.getDice().getEmoji()).isEqualTo("🎲");
        assertThat(dice.getDice().getValue()).isBetween(1, 6);

        assertThat(inboxMessage(chat, location.getMessageId()).payload().has("location")).isTrue();
        assertThat(inboxMessage(chat, contact.getMessageId()).payload().path("contact").path("phone_number").asText())
                .isEqualTo("+15550002");
        assertThat(inboxMessage(chat, dice.getMessageId()).payload().path("dice").path("value").asInt())
                .isEqualTo(dice.getDice().getValue());
    }

    // ---------------------------------------------------------------- copy, forward

    @Test
    void copyAndForward_pengradReproducesTheUsersMessage() {
        Chat chat = newChat("Ivan", true);
        TelegramBot bot = pengrad(chat.token());
        SimResult sent = sim.send(chat.userId(), chat.botId(), 0, text("copy me"));

        MessageIdResponse copy = ok(bot.execute(new CopyMessage(chat.userId(), chat.userId(), (int) sent.messageId())));
        ObjectNode copied = inboxMessage(chat, copy.messageId()).payload();
        assertThat(copied.path("text").asText()).isEqualTo("copy me");
        assertThat(copied.has("forward_origin")).isFalse();

        SendResponse forward = ok(bot.execute(new ForwardMessage(chat.userId(), chat.userId(), (int) sent.messageId())));
        assertThat(forward.message().text()).isEqualTo("copy me");
        assertThat(forward.message().forwardOrigin()).isInstanceOf(MessageOriginUser.class);
        assertThat(((MessageOriginUser) forward.message().forwardOrigin()).senderUser().id()).isEqualTo(chat.userId());
        ObjectNode forwarded = inboxMessage(chat, forward.message().messageId()).payload();
        assertThat(forwarded.path("forward_origin").path("type").asText()).isEqualTo("user");
        assertThat(forwarded.path("forward_origin").path("sender_user").path("id").asLong()).isEqualTo(chat.userId());
    }

    @Test
    void copyAndForward_telegrambotsReproducesTheUsersMessage() throws Exception {
        Chat chat = newChat("Ivan", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());
        SimResult sent = sim.send(chat.userId(), chat.botId(), 0, text("tb copy me"));

        MessageId copy = client.execute(new org.telegram.telegrambots.meta.api.methods.CopyMessage(to, to,
                sent.messageId()));
        assertThat(inboxMessage(chat, copy.getMessageId().intValue()).payload().path("text").asText())
                .isEqualTo("tb copy me");

        Message forward = client.execute(new org.telegram.telegrambots.meta.api.methods.ForwardMessage(to, to,
                sent.messageId()));
        assertThat(forward.getText()).isEqualTo("tb copy me");
        assertThat(forward.getForwardOrigin())
                .isInstanceOfSatisfying(org.telegram.telegrambots.meta.api.objects.messageorigin.MessageOriginUser.class,
                        origin -> assertThat(origin.getSenderUser().getId()).isEqualTo(chat.userId()));
    }

    // ---------------------------------------------------------------- edit, delete

    @Test
    void editAndDelete_pengradChangesWhatTheUserSees() {
        Chat chat = newChat("Judy", true);
        TelegramBot bot = pengrad(chat.token());
        SendResponse sent = ok(bot.execute(new SendMessage(chat.userId(), "draft")));
        int id = sent.message().messageId();
        assertThat(inboxMessage(chat, id).payload().path("text").asText()).isEqualTo("draft");

        ok(bot.execute(new EditMessageText(chat.userId(), id, "final")));
        assertThat(inbox(chat)).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("edit");
            assertThat(e.messageId()).isEqualTo(id);
            assertThat(e.payload().path("text").asText()).isEqualTo("final");
        });
        assertError(bot.execute(new EditMessageText(chat.userId(), id, "final")), 400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                        + "the same as a current content and reply markup of the message");

        ok(bot.execute(new DeleteMessage(chat.userId(), id)));
        assertThat(inbox(chat)).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("delete");
            assertThat(e.messageId()).isEqualTo(id);
        });
    }

    @Test
    void editAndDelete_telegrambotsChangesWhatTheUserSees() throws Exception {
        Chat chat = newChat("Judy", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());
        Message sent = client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendMessage(to, "tb draft"));
        int id = sent.getMessageId();

        Serializable edited = client.execute(org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText
                .builder().chatId(to).messageId(id).text("tb final").build());
        assertThat(edited).isInstanceOfSatisfying(Message.class, m -> assertThat(m.getText()).isEqualTo("tb final"));
        assertThat(inbox(chat)).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("edit");
            assertThat(e.payload().path("text").asText()).isEqualTo("tb final");
        });
        assertThatThrownBy(() -> client.execute(org.telegram.telegrambots.meta.api.methods.updatingmessages
                .EditMessageText.builder().chatId(to).messageId(id).text("tb final").build()))
                .isInstanceOfSatisfying(TelegramApiRequestException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(400);
                    assertThat(e.getApiResponse()).startsWith("Bad Request: message is not modified");
                });

        assertThat(client.execute(new org.telegram.telegrambots.meta.api.methods.updatingmessages.DeleteMessage(to, id)))
                .isTrue();
        assertThat(inbox(chat)).anySatisfy(e -> {
            assertThat(e.event()).isEqualTo("delete");
            assertThat(e.messageId()).isEqualTo(id);
        });
    }

    // ---------------------------------------------------------------- callback queries

    @Test
    void answerCallbackQuery_pengradAnswersAPress() {
        Chat chat = newChat("Ken", true);
        TelegramBot bot = pengrad(chat.token());
        SendResponse menu = ok(bot.execute(new SendMessage(chat.userId(), "choose").replyMarkup(
                new com.pengrad.telegrambot.model.request.InlineKeyboardMarkup(
                        new com.pengrad.telegrambot.model.request.InlineKeyboardButton("Yes").callbackData("yes")))));
        SimResult press = sim.press(chat.userId(), chat.botId(), 0, menu.message().messageId(), "yes", null);
        assertThat(press.queryId()).isNotBlank();

        List<com.pengrad.telegrambot.model.Update> updates = ok(bot.execute(new GetUpdates())).updates();
        com.pengrad.telegrambot.model.CallbackQuery query = updates.stream()
                .map(com.pengrad.telegrambot.model.Update::callbackQuery).filter(q -> q != null).findFirst().orElseThrow();
        assertThat(query.id()).isEqualTo(press.queryId());
        assertThat(query.data()).isEqualTo("yes");
        assertThat(query.from().id()).isEqualTo(chat.userId());
        assertThat(query.message().messageId()).isEqualTo(menu.message().messageId());

        ok(bot.execute(new AnswerCallbackQuery(query.id()).text("noted")));
        assertThat(inbox(chat)).anySatisfy(e -> assertThat(e.event()).isEqualTo("callback_answer"));
    }

    @Test
    void answerCallbackQuery_telegrambotsAnswersAPress() throws Exception {
        Chat chat = newChat("Ken", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());
        Message menu = client.execute(org.telegram.telegrambots.meta.api.methods.send.SendMessage.builder().chatId(to)
                .text("choose").replyMarkup(new InlineKeyboardMarkup(List.of(new InlineKeyboardRow(
                        InlineKeyboardButton.builder().text("No").callbackData("no").build())))).build());
        SimResult press = sim.press(chat.userId(), chat.botId(), 0, menu.getMessageId(), "no", null);

        List<Update> updates = client.execute(new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates());
        org.telegram.telegrambots.meta.api.objects.CallbackQuery query = updates.stream()
                .map(Update::getCallbackQuery).filter(q -> q != null).findFirst().orElseThrow();
        assertThat(query.getId()).isEqualTo(press.queryId());
        assertThat(query.getData()).isEqualTo("no");

        assertThat(client.execute(org.telegram.telegrambots.meta.api.methods.AnswerCallbackQuery.builder()
                .callbackQueryId(query.getId()).text("ok").build())).isTrue();
        assertThat(inbox(chat)).anySatisfy(e -> assertThat(e.event()).isEqualTo("callback_answer"));
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errors_pengradSurfacesTheRealDescriptions() {
        Chat chat = newChat("Leo", true);
        TelegramBot bot = pengrad(chat.token());

        sim.setBlocked(chat.userId(), chat.botId(), true);
        assertError(bot.execute(new SendMessage(chat.userId(), "hello?")), 403, "Forbidden: bot was blocked by the user");
        sim.setBlocked(chat.userId(), chat.botId(), false);
        ok(bot.execute(new SendMessage(chat.userId(), "welcome back")));

        SimUser stranger = sim.createUser("Mallory", null, null, "en", false);
        assertError(bot.execute(new SendMessage(stranger.id(), "hi")), 403,
                "Forbidden: bot can't initiate conversation with a user");
        assertError(bot.execute(new SendMessage(987_654_321_012L, "hi")), 400, "Bad Request: chat not found");

        assertError(pengrad("123:short").execute(new GetMe()), 401, "Unauthorized");
        assertError(pengrad("abc").execute(new GetMe()), 401, "Unauthorized: invalid token specified");

        Chat other = newChat("Niaj", true);
        SendResponse foreign = ok(pengrad(other.token()).execute(new SendDocument(other.userId(), fakeBytes("x", 50))));
        assertError(bot.execute(new SendDocument(chat.userId(), foreign.message().document().fileId())), 400,
                "Bad Request: wrong file identifier/HTTP URL specified");
    }

    @Test
    void errors_telegrambotsSurfacesTheRealDescriptions() throws Exception {
        Chat chat = newChat("Leo", true);
        OkHttpTelegramClient client = telegrambots(chat.token());
        String to = Long.toString(chat.userId());

        sim.setBlocked(chat.userId(), chat.botId(), true);
        assertError(() -> client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendMessage(to, "hi")),
                403, "Forbidden: bot was blocked by the user");
        sim.setBlocked(chat.userId(), chat.botId(), false);

        SimUser stranger = sim.createUser("Mallory", null, null, "en", false);
        assertError(() -> client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendMessage(
                Long.toString(stranger.id()), "hi")), 403, "Forbidden: bot can't initiate conversation with a user");
        assertError(() -> client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendMessage(
                "987654321012", "hi")), 400, "Bad Request: chat not found");

        assertError(() -> telegrambots("123:short").execute(new org.telegram.telegrambots.meta.api.methods.GetMe()),
                401, "Unauthorized");
        assertError(() -> telegrambots("abc").execute(new org.telegram.telegrambots.meta.api.methods.GetMe()),
                401, "Unauthorized: invalid token specified");

        Chat other = newChat("Niaj", true);
        Message foreign = telegrambots(other.token()).execute(new org.telegram.telegrambots.meta.api.methods.send
                .SendDocument(Long.toString(other.userId()), upload(fakeBytes("y", 50), "y.bin")));
        assertError(() -> client.execute(new org.telegram.telegrambots.meta.api.methods.send.SendDocument(to,
                new InputFile(foreign.getDocument().getFileId()))), 400,
                "Bad Request: wrong file identifier/HTTP URL specified");
    }

    @Test
    void userMessages_bothLibrariesParseEveryKindTheSimSends() throws Exception {
        Chat chat = newChat("Olivia", true);
        ObjectNode photo = Json.object().put("photo", "sunset").put("caption", "look");
        ObjectNode location = Json.object();
        location.putObject("location").put("latitude", 1.5).put("longitude", 2.5);
        ObjectNode contact = Json.object();
        contact.putObject("contact").put("phone_number", "+100").put("first_name", "Pat");
        ObjectNode album = Json.object();
        album.putArray("album").add(Json.object().put("photo", "a")).add(Json.object().put("video", "b")
                .put("caption", "c"));
        List<ObjectNode> contents = new ArrayList<>(List.of(photo, Json.object().put("document", "d"),
                Json.object().put("voice", "v"), Json.object().put("sticker", "s"), location, contact, album));
        for (ObjectNode content : contents) {
            sim.send(chat.userId(), chat.botId(), 0, content);
        }

        List<com.pengrad.telegrambot.model.Update> viaPengrad = ok(pengrad(chat.token()).execute(new GetUpdates()))
                .updates();
        List<Update> viaTelegrambots = telegrambots(chat.token()).execute(
                new org.telegram.telegrambots.meta.api.methods.updates.GetUpdates());
        assertThat(viaPengrad).hasSize(9).hasSameSizeAs(viaTelegrambots);
        var p = viaPengrad.stream().map(com.pengrad.telegrambot.model.Update::message).toList();
        var t = viaTelegrambots.stream().map(Update::getMessage).toList();
        assertThat(p.get(1).photo()).isNotEmpty();
        assertThat(p.get(1).caption()).isEqualTo("look");
        assertThat(t.get(1).getPhoto()).isNotEmpty();
        assertThat(p.get(2).document()).isNotNull();
        assertThat(t.get(3).getVoice()).isNotNull();
        assertThat(p.get(4).sticker()).isNotNull();
        assertThat(t.get(5).getLocation().getLongitude()).isEqualTo(2.5);
        assertThat(p.get(6).contact().phoneNumber()).isEqualTo("+100");
        assertThat(p.get(7).mediaGroupId()).isNotBlank().isEqualTo(p.get(8).mediaGroupId());
        assertThat(t.get(8).getVideo()).isNotNull();
        assertThat(t.get(8).getCaption()).isEqualTo("c");

        // a user's photo can be fetched and re-sent by the bot that received it
        TelegramBot bot = pengrad(chat.token());
        String fileId = p.get(1).photo()[p.get(1).photo().length - 1].fileId();
        GetFileResponse file = ok(bot.execute(new GetFile(fileId)));
        byte[] bytes = download(chat.token(), file.file().filePath());
        assertThat(ImageIO.read(new ByteArrayInputStream(bytes))).isNotNull();
        SendResponse echoed = ok(bot.execute(new SendPhoto(chat.userId(), fileId)));
        assertThat(inboxMessage(chat, echoed.message().messageId()).payload().has("photo")).isTrue();
    }
}

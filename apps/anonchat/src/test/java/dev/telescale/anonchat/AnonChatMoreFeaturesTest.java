package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import dev.telescale.emulator.state.InboxEvent;
import dev.telescale.runtime.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The paths the other end-to-end tests leave out: the cross-bot upload cache, a broadcast that
 * outlives the instance that started it, a relay Telegram refuses, ratings, and the admin's
 * /warn and /grantvip with VIP queue priority. Through the emulator, two bots, both backends.
 */
class AnonChatMoreFeaturesTest {
    @TempDir
    Path dataDir;
    ChatHarness harness;
    /** The test's own connection, independent of the instances (which the tests stop and start). */
    Database database;

    ChatHarness start(Backend backend, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("ANONCHAT_NEW_USER_MEDIA_DELAY", "0s"));
        env.putAll(overrides);
        AnonChatSettings settings = switch (AnonChatSettings.fromEnvironment(env, Set.of(ChatHarness.ADMIN))) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> throw new IllegalArgumentException(invalid.problems().toString());
        };
        harness = new ChatHarness(backend, dataDir, settings);
        harness.startInstance();
        database = Database.open(harness.env.get("DATABASE_URL"), 2);
        return harness;
    }

    Jdbi db() {
        return database.jdbi();
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (database != null) {
            database.close();
        }
    }

    long no(User user) {
        return db().withHandle(h -> h.createQuery("SELECT no FROM ac_users WHERE user_id = :u").bind("u", user.id())
                .mapTo(Long.class).one());
    }

    /** The calls a bot made to one method, by HTTP status, from the emulator's trace (GET /sim/trace). */
    long calls(long botId, String method, int status) {
        return harness.emulator.state().trace().since(0, Integer.MAX_VALUE).stream()
                .filter(e -> e.kind().equals("call") && e.botId() == botId && e.method().equalsIgnoreCase(method)
                        && e.status() == status)
                .count();
    }

    /** The user's own message as the bot received it (the emulator keeps it in the chat). */
    JsonNode sentMessage(User user, int messageId) {
        return harness.emulator.state().bot(user.bot).existingChat(user.id()).message(messageId).json();
    }

    static JsonNode largestPhoto(JsonNode message) {
        JsonNode sizes = message.path("photo");
        return sizes.path(sizes.size() - 1);
    }

    /** Presses the button of {@code message} whose callback data matches. */
    void press(User user, InboxEvent message, Predicate<String> data) {
        String chosen = ChatHarness.buttonData(message.payload()).stream().filter(data).findFirst().orElseThrow(() ->
                new AssertionError("no such button on " + message.payload()));
        harness.emulator.sim().press(user.id(), user.bot, 0, message.messageId(), chosen, null);
    }

    long count(User user, Predicate<JsonNode> matches) {
        return user.inbox().stream().filter(e -> e.event().equals("message") && matches.test(e.payload())).count();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFileRelayedAcrossBotsIsDownloadedAndUploadedOnceThenSentByTheOtherBotsFileId(Backend backend) {
        start(backend, Map.of());
        User[] pair = harness.pair("Sam", "Tia");
        User sam = pair[0];
        User tia = pair[1];

        int firstSend = sam.send("{\"photo\":\"holiday\",\"caption\":\"first\"}").messageId();
        JsonNode original = largestPhoto(sentMessage(sam, firstSend));
        JsonNode firstCopy = largestPhoto(tia.awaitMessage("the first copy", m -> m.path("caption").asText().equals("first"))
                .payload());
        String botBFileId = firstCopy.path("file_id").asText();
        assertThat(botBFileId).isNotEqualTo(original.path("file_id").asText());
        assertThat(harness.emulator.state().files().resolve(BOT_B, botBFileId).bytes())
                .as("bot B uploaded the bytes bot A's file has")
                .isEqualTo(harness.emulator.state().files().resolve(BOT_A, original.path("file_id").asText()).bytes());
        assertThat(calls(BOT_A, "getFile", 200)).as("the owner bot's getFile for the first copy").isEqualTo(1);

        // The same file again (a client sends a file already on the server by reference: same file_unique_id).
        int secondSend = sam.send("{\"photo\":\"" + original.path("file_id").asText() + "\",\"caption\":\"second\"}").messageId();
        assertThat(largestPhoto(sentMessage(sam, secondSend)).path("file_unique_id").asText())
                .isEqualTo(original.path("file_unique_id").asText());
        JsonNode secondCopy = largestPhoto(tia.awaitMessage("the second copy", m -> m.path("caption").asText().equals("second"))
                .payload());
        // every upload becomes a new file with a new file_id, so the same file_id means no second upload
        assertThat(secondCopy.path("file_id").asText()).as("sent by bot B's file_id: no second upload").isEqualTo(botBFileId);
        assertThat(calls(BOT_A, "getFile", 200)).as("no second getFile").isEqualTo(1);
        List<String> remembered = db().withHandle(h -> h.createQuery(
                        "SELECT file_id FROM transferred_files WHERE bot_id = :bot AND file_unique_id = :unique")
                .bind("bot", BOT_B).bind("unique", original.path("file_unique_id").asText()).mapTo(String.class).list());
        assertThat(remembered).as("bot B's file_id, remembered in the database").containsExactly(botBFileId);

        // Later, another partner on bot B, served by a new instance: the cache is in the database, not the process.
        sam.text("/stop");
        tia.awaitText("Your partner ended the chat");
        harness.runtimes.get(0).close();
        harness.startInstance();
        User uma = harness.onboarded("Uma", "uma_x", "en", BOT_B, "f", 29);
        sam.text("/search");
        uma.text("/search");
        uma.awaitText("Partner found");
        sam.awaitText("Partner found");
        sam.send("{\"photo\":\"" + original.path("file_id").asText() + "\",\"caption\":\"third\"}");
        JsonNode thirdCopy = largestPhoto(uma.awaitMessage("the copy for the new partner",
                m -> m.path("caption").asText().equals("third")).payload());
        assertThat(thirdCopy.path("file_id").asText()).isEqualTo(botBFileId);
        assertThat(calls(BOT_A, "getFile", 200)).isEqualTo(1);
        assertThat(harness.emulator.stats().total("getfile", 200)).as("nobody else called getFile either").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBroadcastCutShortByAStoppedInstanceIsFinishedByTheNextOneAndReachesEveryoneOnce(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        // Enough users for five runs of the broadcast task (one batch a second), so the instance
        // stops with most of the broadcast still to do even if stopping takes a few seconds. They
        // have started the bot and are onboarded: onboarding is covered elsewhere, here their
        // profiles are written at once.
        int userCount = 4 * dev.telescale.runtime.dispatch.BroadcastTask.BATCH + 100;
        List<User> users = new ArrayList<>();
        for (int i = 0; i < userCount; i++) {
            User user = harness.newUser("R" + i, "reader" + i, "en", i % 2 == 0 ? BOT_A : BOT_B);
            harness.emulator.state().bot(user.bot).chat(user.id(), id -> harness.emulator.sim().user(id).privateChatJson())
                    .markStarted();
            users.add(user);
        }
        long now = System.currentTimeMillis();
        db().useHandle(h -> {
            var insert = h.prepareBatch("""
                    INSERT INTO ac_users (user_id, bot_id, lang, gender, age, onboarded_at, created_at, last_active_at)
                    VALUES (:user, :bot, 'en', 'f', 30, :now, :now, :now)""");
            users.forEach(user -> insert.bind("user", user.id()).bind("bot", user.bot).bind("now", now).add());
            insert.execute();
        });

        int news = admin.text("Maintenance tonight at 22:00").messageId();
        admin.send("{\"text\":\"/broadcast all\",\"reply_to\":" + news + "}");
        Awaitility.await("the first batch").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() ->
                db().withHandle(h -> h.createQuery("SELECT queued FROM broadcasts").mapTo(Long.class).findOne()).orElse(0L) > 0);
        harness.runtimes.get(0).close();
        Map<String, Object> interrupted = db().withHandle(h -> h.createQuery("SELECT queued, status FROM broadcasts")
                .mapToMap().one());
        assertThat(interrupted.get("status")).as("stopped mid-broadcast").isEqualTo("running");
        assertThat(((Number) interrupted.get("queued")).intValue()).isLessThan(userCount + 1);

        // The next instance takes the task over (once the stopped one's lease has run out), sends
        // what the stopped one queued but did not send, and queues the rest after the cursor.
        harness.startInstance();
        admin.awaitText("fully queued: " + (userCount + 1) + " recipients");
        List<User> everyone = new ArrayList<>(users);
        everyone.add(admin);
        Predicate<JsonNode> broadcast = m -> m.path("text").asText().equals("Maintenance tonight at 22:00");
        Awaitility.await("everyone has the broadcast").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> everyone.stream().allMatch(user -> count(user, broadcast) >= 1));
        Awaitility.await("nothing left to send").atMost(Duration.ofSeconds(30)).until(() ->
                db().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox").mapTo(Integer.class).one()) == 0);
        for (User user : everyone) {
            assertThat(count(user, broadcast)).as("user %d (bot %d) got the broadcast once", user.id(), user.bot).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void relaysTelegramRefusesAreReportedToTheSenderAsThoseMessagesAndTheChatGoesOn(Backend backend) {
        start(backend, Map.of());
        // Premium users may write captions of 4096 characters; bots may send 1024 at most.
        User kim = harness.onboard(harness.new User(harness.emulator.sim().createUser("Kim", "LastnameKim", "kim_p", "en", true),
                BOT_A, "en"), "f", 30, "");
        User lee = harness.onboarded("Lee", "lee_x", "en", BOT_B, "m", 31);
        kim.text("/search");
        lee.text("/search");
        kim.awaitText("Partner found");
        lee.awaitText("Partner found");

        kim.text("before");
        lee.awaitText("before");
        String longCaption = "a long story ".repeat(120);
        int refused = kim.send("{\"photo\":\"beach\",\"caption\":\"" + longCaption + "\"}").messageId();
        InboxEvent notice = kim.awaitText("could not be delivered");
        assertThat(notice.payload().path("reply_to_message").path("message_id").asInt())
                .as("the notice replies to the message that was not delivered").isEqualTo(refused);
        assertThat(calls(BOT_B, "sendPhoto", 400)).as("Telegram refused the copy").isEqualTo(1);

        kim.text("after");
        lee.awaitText("after");

        // Bots cannot download files over 20 MB, so such a video cannot go to another bot's user.
        ObjectNode video = ChatHarness.JSON.createObjectNode()
                .put("video", "data:video/mp4;base64," + Base64.getEncoder().encodeToString(new byte[21 << 20]));
        int tooBig = harness.emulator.sim().send(kim.id(), BOT_A, 0, video).messageId();
        InboxEvent secondNotice = kim.awaitText("could not be delivered");
        assertThat(secondNotice.payload().path("reply_to_message").path("message_id").asInt()).isEqualTo(tooBig);
        assertThat(calls(BOT_A, "getFile", 400)).as("the owner bot may not download it").isEqualTo(1);
        kim.text("still here");
        lee.awaitText("still here");

        assertThat(count(lee, m -> m.has("photo") || m.has("video"))).isZero();
        assertThat(count(kim, m -> m.path("text").asText().contains("could not be delivered")))
                .as("only the refused messages are reported").isEqualTo(2);
        assertThat((Integer) db().withHandle(h -> h.createQuery("SELECT count(*) FROM ac_active").mapTo(Integer.class).one()))
                .as("the chat goes on").isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bothSidesRateAChatAfterItEndsAdminsSeeTheScoreAndTheRatingCanReport(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User[] pair = harness.pair("Rita", "Sol");
        User rita = pair[0];
        User sol = pair[1];
        rita.text("/stop");
        InboxEvent ritaAsked = rita.awaitText("How was this chat?");
        InboxEvent solAsked = sol.awaitText("How was this chat?");
        long conversation = db().withHandle(h -> h.createQuery("SELECT id FROM ac_conversations").mapTo(Long.class).one());
        assertThat(ChatHarness.buttonData(ritaAsked.payload()))
                .containsExactly("rate:" + conversation + ":1", "rate:" + conversation + ":-1", "rep:" + conversation);
        assertThat(ChatHarness.buttonData(solAsked.payload())).isEqualTo(ChatHarness.buttonData(ritaAsked.payload()));

        press(rita, ritaAsked, ("rate:" + conversation + ":1")::equals);
        rita.await("the thanks", e -> e.event().equals("callback_answer")
                && e.payload().path("text").asText().equals("Thank you for your rating."));
        press(sol, solAsked, ("rate:" + conversation + ":-1")::equals);
        sol.await("the thanks", e -> e.event().equals("callback_answer")
                && e.payload().path("text").asText().equals("Thank you for your rating."));
        press(rita, ritaAsked, ("rate:" + conversation + ":1")::equals); // a second press changes nothing
        rita.await("the second thanks", e -> e.event().equals("callback_answer"));

        admin.text("/user " + no(sol));
        assertThat(admin.awaitText("#u" + no(sol) + ":").payload().path("text").asText()).contains("rating 1,");
        admin.text("/user " + no(rita));
        assertThat(admin.awaitText("#u" + no(rita) + ":").payload().path("text").asText()).contains("rating -1,");
        List<Map<String, Object>> ratings = db().withHandle(h -> h.createQuery(
                "SELECT rater, rated, score FROM ac_ratings ORDER BY score DESC").mapToMap().list());
        assertThat(ratings).hasSize(2);
        assertThat(((Number) ratings.get(0).get("rater")).longValue()).isEqualTo(rita.id());
        assertThat(((Number) ratings.get(0).get("rated")).longValue()).isEqualTo(sol.id());
        assertThat(((Number) ratings.get(1).get("rater")).longValue()).isEqualTo(sol.id());
        assertThat(((Number) ratings.get(1).get("score")).intValue()).isEqualTo(-1);

        // The third button of the rating reports the partner of the chat that just ended.
        press(sol, solAsked, ("rep:" + conversation)::equals);
        InboxEvent reasons = sol.awaitText("Why do you report");
        press(sol, reasons, d -> d.endsWith(":abuse"));
        sol.await("the report thanks", e -> e.event().equals("callback_answer")
                && e.payload().path("text").asText().startsWith("Thank you; moderators"));
        admin.text("/reports");
        assertThat(admin.awaitText("Open reports").payload().path("text").asText())
                .contains("#u" + no(sol) + " reported #u" + no(rita) + " (abuse, conversation #" + conversation + ")");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWarnedUserIsToldAGrantedVipFiltersAndIsMatchedBeforeSomeoneWhoWaitedLonger(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User vera = harness.onboarded("Vera", "vera_x", "en", BOT_B, "f", 30);
        User nora = harness.onboarded("Nora", "nora_x", "en", BOT_A, "f", 31);
        User tom = harness.onboarded("Tom", "tom_x", "en", BOT_B, "m", 32);

        admin.text("/warn " + no(vera));
        vera.awaitText("Warning from the moderators");
        admin.awaitText("#u" + no(vera) + " was warned (1 warnings)");
        admin.text("/user " + no(vera));
        assertThat(admin.awaitText("#u" + no(vera) + ":").payload().path("text").asText()).contains("warnings 1,");

        vera.text("/filter");
        vera.awaitText("Partner filters are a VIP feature");
        admin.text("/grantvip " + no(vera) + " 7");
        vera.awaitText("A moderator gave you VIP until");
        admin.awaitText("#u" + no(vera) + " is VIP until");
        vera.text("/filter");
        vera.press("f:g:m");
        vera.await("the filter saved", e -> e.event().equals("callback_answer")
                && e.payload().path("text").asText().startsWith("Filter saved"));

        // Nora waits first; Vera (VIP, wants men) cannot take her and waits too; Tom suits both.
        nora.text("/search");
        nora.awaitText("Looking for a partner");
        vera.text("/search");
        vera.awaitText("matches your filters");
        tom.text("/search");
        tom.awaitText("Partner found");
        long tomsPartner = db().withHandle(h -> h.createQuery("SELECT partner_id FROM ac_active WHERE user_id = :u")
                .bind("u", tom.id()).mapTo(Long.class).one());
        assertThat(tomsPartner).as("the VIP is matched before the user who waited longer").isEqualTo(vera.id());
        vera.awaitText("Partner found");
        List<Long> waiting = db().withHandle(h -> h.createQuery("SELECT user_id FROM ac_queue").mapTo(Long.class).list());
        assertThat(waiting).as("the one who waited longer still waits").containsExactly(nora.id());
        assertThat(count(nora, m -> m.path("text").asText().startsWith("Partner found"))).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void vipGrantedWhileWaitingMovesTheUserAheadAtOnce(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User nora = harness.onboarded("Nora", "nora_x", "en", BOT_A, "f", 31);
        User wendy = harness.onboarded("Wendy", "wendy_x", "en", BOT_B, "f", 29);
        User tom = harness.onboarded("Tom", "tom_x", "en", BOT_B, "m", 32);
        // Nora and Wendy just chatted, so they are not matched again: both wait, Nora first.
        nora.text("/search");
        wendy.text("/search");
        wendy.awaitText("Partner found");
        nora.text("/stop");
        wendy.awaitText("Your partner ended the chat");
        nora.text("/search");
        nora.awaitText("Looking for a partner");
        wendy.text("/search");
        wendy.awaitText("Looking for a partner");
        admin.text("/grantvip " + no(wendy) + " 7");
        wendy.awaitText("A moderator gave you VIP until");
        tom.text("/search");
        tom.awaitText("Partner found");
        long tomsPartner = db().withHandle(h -> h.createQuery("SELECT partner_id FROM ac_active WHERE user_id = :u")
                .bind("u", tom.id()).mapTo(Long.class).one());
        assertThat(tomsPartner).as("VIP granted while waiting counts at once").isEqualTo(wendy.id());
    }
}

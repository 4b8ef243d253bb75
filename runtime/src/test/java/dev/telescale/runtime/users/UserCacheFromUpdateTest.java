package dev.telescale.runtime.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.storage.TelegramUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link UserCache#fromUpdate} on real payloads and on every kind of update that names a user. */
class UserCacheFromUpdateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = """
            {"id": 7, "is_bot": false, "first_name": "Ann", "last_name": "Lee", "username": "ann",
             "language_code": "de", "is_premium": true}""";
    private static final TelegramUser ANN = new TelegramUser(7, "Ann", "Lee", "ann", "de", true);

    @Test
    void fromUpdate_privateMessage_isTheSender() throws IOException {
        assertThat(UserCache.fromUpdate(fixture("34-de_private_chat_text.json")))
                .contains(new TelegramUser(408258968, "Hirrolot", null, "hirrolot", "en", false));
    }

    @Test
    void fromUpdate_reaction_isTheReactingUser() throws IOException {
        assertThat(UserCache.fromUpdate(fixture("42-message-reaction_updated.json")))
                .contains(new TelegramUser(1459074222, "shadowchain", null, "shdwchn10", "en", true));
    }

    @Test
    void fromUpdate_anonymousReactionOrBoost_isEmpty() throws IOException {
        assertThat(UserCache.fromUpdate(fixture("41-message-reaction_updated.json"))).isEmpty();
        assertThat(UserCache.fromUpdate(fixture("32-chat_boost_removed.json"))).isEmpty();
    }

    @Test
    void fromUpdate_everyKindWithASender_isThatSender() throws IOException {
        for (String kind : List.of("message", "edited_message", "callback_query", "my_chat_member", "chat_member",
                "pre_checkout_query", "shipping_query", "inline_query", "chosen_inline_result", "chat_join_request")) {
            JsonNode update = JSON.readTree("{\"update_id\": 1, \"" + kind + "\": {\"id\": \"x\", \"from\": " + USER
                    + ", \"chat\": {\"id\": -5, \"type\": \"group\"}}}");
            assertThat(UserCache.fromUpdate(update)).as(kind).contains(ANN);
        }
        for (String kind : List.of("message_reaction", "poll_answer", "business_connection")) {
            JsonNode update = JSON.readTree("{\"update_id\": 1, \"" + kind + "\": {\"user\": " + USER + "}}");
            assertThat(UserCache.fromUpdate(update)).as(kind).contains(ANN);
        }
    }

    @Test
    void fromUpdate_channelPostOrNoId_isEmpty() throws IOException {
        assertThat(UserCache.fromUpdate(JSON.readTree("""
                {"update_id": 1, "channel_post": {"message_id": 3, "sender_chat": {"id": -100, "type": "channel"},
                 "chat": {"id": -100, "type": "channel"}, "date": 1, "text": "hi"}}"""))).isEmpty();
        assertThat(UserCache.fromUpdate(JSON.readTree("""
                {"update_id": 1, "message": {"from": {"first_name": "No id"}}}"""))).isEmpty();
        assertThat(UserCache.fromUpdate(JSON.readTree("{\"update_id\": 1}"))).isEmpty();
    }

    @Test
    void fromUpdate_everyFixture_neverThrowsAndFindsMessageSenders() throws IOException {
        try (Stream<Path> files = Files.list(fixturesDir())) {
            for (Path file : files.filter(path -> path.toString().endsWith(".json")).toList()) {
                JsonNode update = JSON.readTree(file.toFile());
                JsonNode from = update.path("message").path("from").path("id");
                if (from.isNumber()) {
                    assertThat(UserCache.fromUpdate(update)).as(file.getFileName().toString())
                            .map(TelegramUser::userId).contains(from.asLong());
                }
            }
        }
    }

    @Test
    void toUserObject_roundTrip_keepsEveryFieldAndNulls() throws IOException {
        TelegramUser sparse = new TelegramUser(9, "Bo", null, null, null, false);
        for (TelegramUser user : List.of(ANN, sparse)) {
            assertThat(UserCache.fromUserObject(JSON.readTree(UserCache.toUserObject(user)))).contains(user);
        }
        assertThat(UserCache.toUserObject(sparse)).isEqualTo("{\"id\":9,\"first_name\":\"Bo\"}");
    }

    private static JsonNode fixture(String name) throws IOException {
        return JSON.readTree(fixturesDir().resolve(name).toFile());
    }

    private static Path fixturesDir() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("fixtures/telegram-updates");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no fixtures/telegram-updates above " + System.getProperty("user.dir"));
    }
}

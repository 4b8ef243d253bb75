package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import dev.telescale.emulator.state.InboxEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The anonymous chat end to end through the emulator: two bots, one pool, both backends. */
class AnonChatFlowTest {
    @TempDir
    Path dataDir;
    ChatHarness harness;

    ChatHarness start(Backend backend, AnonChatSettings settings) {
        harness = new ChatHarness(backend, dataDir, settings);
        harness.startInstance();
        return harness;
    }

    ChatHarness start(Backend backend) {
        return start(backend, AnonChatSettings.defaults(Set.of(ChatHarness.ADMIN)).withNewUserMediaDelay(Duration.ZERO));
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void strangersOnTwoBotsAreMatchedAndEveryMessageKindIsRelayedBothWays(Backend backend) {
        start(backend);
        User[] pair = harness.pair("Alice", "Bob");
        User alice = pair[0];
        User bob = pair[1];

        alice.text("hello *there*");
        bob.awaitText("hello *there*");
        bob.text("hi Alice?");
        alice.awaitText("hi Alice?");

        alice.send("{\"photo\":\"sunset\",\"caption\":\"my photo\"}");
        JsonNode photo = bob.awaitMessage("a photo", m -> m.has("photo")).payload();
        assertThat(photo.path("caption").asText()).isEqualTo("my photo");

        for (String kind : new String[]{"video", "animation", "voice", "audio", "document", "video_note", "sticker"}) {
            alice.send("{\"" + kind + "\":\"file-" + kind + "\"}");
            bob.awaitMessage("a " + kind, m -> m.has(kind));
            bob.send("{\"" + kind + "\":\"back-" + kind + "\"}");
            alice.awaitMessage("a " + kind + " back", m -> m.has(kind));
        }
        alice.send("{\"location\":{\"latitude\":52.5,\"longitude\":13.4}}");
        bob.awaitMessage("a location", m -> m.has("location"));
        alice.send("{\"venue\":{\"location\":{\"latitude\":52.5,\"longitude\":13.4},\"title\":\"Cafe\",\"address\":\"Main St 1\"}}");
        bob.awaitMessage("a venue", m -> m.path("venue").path("title").asText().equals("Cafe"));
        alice.send("{\"contact\":{\"phone_number\":\"+15550001\",\"first_name\":\"Jo\"}}");
        bob.awaitMessage("a contact", m -> m.path("contact").path("phone_number").asText().equals("+15550001"));
        alice.send("{\"dice\":\"🎲\"}");
        bob.awaitMessage("the dice value", m -> m.path("text").asText().startsWith("🎲 "));

        alice.text("/stop");
        alice.awaitText("You ended the chat");
        bob.awaitText("Your partner ended the chat");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void albumsArriveAsAlbumsWithinABotAndAcrossBots(Backend backend) {
        start(backend);
        User[] cross = harness.pair("Carol", "Dan");
        cross[0].send("{\"album\":[{\"photo\":\"a1\"},{\"photo\":\"a2\"},{\"video\":\"a3\"}],\"caption\":\"trip\"}");
        InboxEvent first = cross[1].awaitMessage("an album", m -> m.has("media_group_id"));
        String group = first.payload().path("media_group_id").asText();
        cross[1].await("three album items", e -> cross[1].inbox().stream()
                .filter(m -> m.payload().path("media_group_id").asText().equals(group)).count() == 3);
        assertThat(first.payload().path("caption").asText()).isEqualTo("trip");

        User e = harness.onboarded("Erin", "erin_x", "en", BOT_A, "f", 22);
        User f = harness.onboarded("Frank", "frank_x", "en", BOT_A, "m", 23);
        cross[0].text("/stop");
        cross[1].text("/stop");
        e.text("/search");
        f.text("/search");
        e.awaitText("Partner found");
        f.awaitText("Partner found");
        e.send("{\"album\":[{\"photo\":\"b1\"},{\"photo\":\"b2\"}]}");
        InboxEvent same = f.awaitMessage("an album in the same bot", m -> m.has("media_group_id"));
        String sameGroup = same.payload().path("media_group_id").asText();
        f.await("two album items", ev -> f.inbox().stream()
                .filter(m -> m.payload().path("media_group_id").asText().equals(sameGroup)).count() == 2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void repliesEditsReactionsAndDeletionsFindThePartnersCopy(Backend backend) {
        start(backend);
        User[] pair = harness.pair("Gina", "Hank");
        User gina = pair[0];
        User hank = pair[1];
        int original = gina.text("first message").messageId();
        InboxEvent copy = hank.awaitText("first message");
        // Hank replies to the copy he got: Gina sees a reply to her own original
        hank.send("{\"text\":\"answer\",\"reply_to\":" + copy.messageId() + "}");
        InboxEvent reply = gina.awaitText("answer");
        assertThat(reply.payload().path("reply_to_message").path("message_id").asInt()).isEqualTo(original);

        harness.emulator.sim().edit(gina.id(), BOT_A, 0, original, "first message, edited");
        hank.await("the edit", e -> e.event().equals("edit") && e.messageId() == copy.messageId()
                && e.payload().path("text").asText().equals("first message, edited"));

        harness.emulator.sim().react(hank.id(), BOT_B, 0, copy.messageId(), "👍");
        gina.await("the reaction", e -> e.event().equals("reaction") && e.messageId() == original);

        gina.send("{\"text\":\"/delete\",\"reply_to\":" + original + "}");
        hank.await("the deletion", e -> e.event().equals("delete") && e.messageId() == copy.messageId());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aPartnerWhoBlocksTheBotEndsTheChatAndTheOtherIsTold(Backend backend) {
        start(backend);
        User[] pair = harness.pair("Ivy", "Jack");
        harness.emulator.sim().setBlocked(pair[1].id(), BOT_B, true);
        pair[0].awaitText("Your partner left the chat");
        pair[0].text("still there?");
        pair[0].awaitText("You are not in a chat");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMessageThatCannotBeDeliveredIsReportedToItsSender(Backend backend) {
        start(backend);
        User[] pair = harness.pair("Kim", "Lee");
        // The partner blocks the bot but the bot has not heard yet (no my_chat_member): the relay gets a 403.
        harness.emulator.state().bot(BOT_B).chat(pair[1].id(), id -> harness.emulator.sim().user(id).privateChatJson())
                .setBlocked(true);
        pair[0].text("are you there");
        pair[0].awaitText("Your partner left the chat");
    }
}

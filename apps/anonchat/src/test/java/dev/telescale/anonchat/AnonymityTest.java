package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import dev.telescale.emulator.state.InboxEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Walks every relay path (each message kind, albums, replies, edits, reactions, forwards, contacts,
 * notices), within one bot and across bots, and asserts that nothing the partner receives carries
 * the sender's id, username, first or last name.
 */
class AnonymityTest {
    @TempDir
    Path dataDir;
    ChatHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest(name = "partner on the {0} bot")
    @ValueSource(strings = {"same", "other"})
    void nothingThePartnerReceivesIdentifiesTheSender(String partnerBot) {
        harness = new ChatHarness(Backend.SQLITE, dataDir,
                AnonChatSettings.defaults(Set.of()).withNewUserMediaDelay(Duration.ZERO));
        harness.startInstance();
        User sender = harness.onboarded("Zebediah", "zebediah_secret", "en", BOT_A, "m", 33);
        User partner = harness.onboarded("Quinn", "quinn_q", "en", partnerBot.equals("same") ? BOT_A : BOT_B, "f", 31);
        User third = harness.newUser("Thirdparty", "third_party", "en", BOT_A);
        sender.text("/search");
        partner.text("/search");
        sender.awaitText("Partner found");
        partner.awaitText("Partner found");

        int first = sender.text("plain words").messageId();
        InboxEvent firstCopy = partner.awaitText("plain words");
        sender.send("{\"text\":\"forwarded words\",\"forward_from\":" + sender.id() + "}");
        partner.awaitText("forwarded words");
        sender.send("{\"text\":\"forwarded from someone\",\"forward_from\":" + third.id() + "}");
        partner.awaitText("forwarded from someone");
        sender.send("{\"text\":\"hidden forward\",\"forward_from\":\"Zebediah Lastname\"}");
        partner.awaitText("hidden forward");
        for (String kind : new String[]{"photo", "video", "animation", "voice", "audio", "document", "video_note", "sticker"}) {
            sender.send("{\"" + kind + "\":\"" + kind + "-x\",\"caption\":\"c-" + kind + "\"}");
            partner.awaitMessage("a " + kind, m -> m.has(kind));
        }
        sender.send("{\"album\":[{\"photo\":\"p1\"},{\"video\":\"v1\"}],\"caption\":\"album words\"}");
        partner.awaitMessage("an album", m -> m.has("media_group_id"));
        sender.send("{\"location\":{\"latitude\":1.5,\"longitude\":2.5}}");
        partner.awaitMessage("a location", m -> m.has("location"));
        sender.send("{\"venue\":{\"location\":{\"latitude\":1.5,\"longitude\":2.5},\"title\":\"Place\",\"address\":\"Road 2\"}}");
        partner.awaitMessage("a venue", m -> m.has("venue"));
        sender.send("{\"contact\":{\"phone_number\":\"+15550002\",\"first_name\":\"Shared\",\"user_id\":" + sender.id() + "}}");
        partner.awaitMessage("a contact", m -> m.has("contact"));
        sender.send("{\"dice\":\"🎯\"}");
        partner.awaitMessage("a dice (copied) or its value (re-sent)",
                m -> m.has("dice") || m.path("text").asText().startsWith("🎯"));
        sender.send("{\"text\":\"a reply to myself\",\"reply_to\":" + first + "}");
        partner.awaitText("a reply to myself");
        harness.emulator.sim().edit(sender.id(), BOT_A, 0, first, "plain words, edited");
        partner.await("the edit", e -> e.event().equals("edit") && e.messageId() == firstCopy.messageId());
        harness.emulator.sim().react(sender.id(), BOT_A, 0, first, "❤");
        sender.text("/stop");
        partner.awaitText("Your partner ended the chat");

        List<String> forbidden = List.of(Long.toString(sender.id()), "zebediah_secret", "Zebediah", "LastnameZebediah");
        List<InboxEvent> received = partner.inbox();
        assertThat(received).hasSizeGreaterThan(20);
        for (InboxEvent event : received) {
            String json = event.payload().toString();
            for (String identifier : forbidden) {
                assertThat(json).as("%s event %d reaching the partner", event.event(), event.messageId())
                        .doesNotContain(identifier);
            }
        }
    }
}

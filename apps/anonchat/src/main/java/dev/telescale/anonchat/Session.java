package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.Outgoing;
import java.util.Optional;

/**
 * What one handler run needs about the user it serves: the store (in the run's transaction), the
 * user's profile, and ways to talk to them and to others in their own language and through the
 * bot they use. Not thread-safe: one per update or task run.
 */
final class Session {
    final Store store;
    final AnonChatSettings settings;
    final Keyboards keyboards;
    final Outgoing out;
    final long now;
    final long botId;
    final long userId;
    private final TextSource source;
    Profile profile;

    /** Text lookup with arguments in a language. */
    interface TextSource {
        String text(String lang, String key, Object... args);
    }

    Session(Store store, AnonChatSettings settings, Keyboards keyboards, Outgoing out, long now, long botId, long userId,
            TextSource source) {
        this.store = store;
        this.settings = settings;
        this.keyboards = keyboards;
        this.out = out;
        this.now = now;
        this.botId = botId;
        this.userId = userId;
        this.source = source;
        this.profile = store.profile(userId).orElse(null);
    }

    String lang() {
        return profile == null ? "en" : profile.lang();
    }

    String text(String key, Object... args) {
        return source.text(lang(), key, args);
    }

    String textIn(String lang, String key, Object... args) {
        return source.text(lang, key, args);
    }

    Profile reload() {
        profile = store.profile(userId).orElse(null);
        return profile;
    }

    boolean isVip() {
        return profile != null && profile.isVip(now);
    }

    /** A message to this user through the bot of this update. */
    void say(String text) {
        say(text, null);
    }

    void say(String text, JsonNode replyMarkup) {
        sendText(botId, userId, text, replyMarkup, null);
    }

    /** A message to this user that replies to one of theirs. */
    void sayReplying(String text, long messageId) {
        sendText(botId, userId, text, null, messageId);
    }

    /** A message with this user's current reply keyboard (idle, searching or chatting). */
    void sayWithKeyboard(String text) {
        say(text, keyboards.forState(lang(), state()));
    }

    /** A message to another user through their bot, in their language. */
    void tell(long otherUser, long otherBot, String key, JsonNode replyMarkup, Object... args) {
        String lang = store.profile(otherUser).map(Profile::lang).orElse("en");
        sendText(otherBot, otherUser, source.text(lang, key, args), replyMarkup, null);
    }

    /** A message to another user with the keyboard of their current state. */
    void tellWithKeyboard(long otherUser, long otherBot, String key, Object... args) {
        String lang = store.profile(otherUser).map(Profile::lang).orElse("en");
        sendText(otherBot, otherUser, source.text(lang, key, args), keyboards.forState(lang, stateOf(store, otherUser)), null);
    }

    void sendText(long viaBot, long chatId, String text, JsonNode replyMarkup, Long replyTo) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("text", text);
        params.put("parse_mode", "HTML");
        params.putObject("link_preview_options").put("is_disabled", true);
        if (replyMarkup != null) {
            params.set("reply_markup", replyMarkup);
        }
        if (replyTo != null) {
            params.putObject("reply_parameters").put("message_id", replyTo).put("allow_sending_without_reply", true);
        }
        out.call(viaBot, chatId, "sendMessage", params);
    }

    Keyboards.State state() {
        return stateOf(store, userId);
    }

    static Keyboards.State stateOf(Store store, long userId) {
        if (store.active(userId).isPresent()) {
            return Keyboards.State.CHATTING;
        }
        return store.isWaiting(userId) ? Keyboards.State.SEARCHING : Keyboards.State.IDLE;
    }

    /** The text after a message's command ("25" for "/age 25"), or "". */
    static String argument(JsonNode message) {
        String text = message.path("text").asText("");
        int space = text.indexOf(' ');
        return space < 0 ? "" : text.substring(space + 1).trim();
    }

    Optional<Store.Active> active() {
        return store.active(userId);
    }
}

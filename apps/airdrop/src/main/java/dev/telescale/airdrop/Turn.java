package dev.telescale.airdrop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.Outgoing;

/**
 * What one piece of work (an update, a web request, a task run) needs to talk to one user: the
 * store in its transaction, the calls it queues, the texts in the user's language. Not
 * thread-safe; lives for that piece of work.
 */
final class Turn {
    final Store store;
    final AirdropSettings settings;
    final Texts texts;
    final Outgoing out;
    final long now;
    final long botId;
    final long chatId;
    final String lang;

    Turn(Store store, AirdropSettings settings, Texts texts, Outgoing out, long now, long botId, long chatId, String lang) {
        this.store = store;
        this.settings = settings;
        this.texts = texts;
        this.out = out;
        this.now = now;
        this.botId = botId;
        this.chatId = chatId;
        this.lang = lang;
    }

    /** The same work, talking to another user (an inviter, say) through the bot they use. */
    Turn to(Store.Member member, Outgoing out) {
        return new Turn(store, settings, texts, out, now, member.botId(), member.userId(), member.lang());
    }

    String text(String key, Object... arguments) {
        return texts.text(lang, key, arguments);
    }

    /** Sends an HTML text to this user. */
    void say(String html) {
        say(html, null);
    }

    void say(String html, ObjectNode replyMarkup) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("chat_id", chatId);
        params.put("text", html);
        params.put("parse_mode", "HTML");
        params.putObject("link_preview_options").put("is_disabled", true);
        if (replyMarkup != null) {
            params.set("reply_markup", replyMarkup);
        }
        out.call(botId, chatId, "sendMessage", params);
    }

    void sayKey(String key, Object... arguments) {
        say(text(key, arguments));
    }

    static ObjectNode inlineKeyboard() {
        ObjectNode markup = JsonNodeFactory.instance.objectNode();
        markup.putArray("inline_keyboard");
        return markup;
    }

    static ArrayNode row(ObjectNode keyboard) {
        return ((ArrayNode) keyboard.get("inline_keyboard")).addArray();
    }

    static void callbackButton(ArrayNode row, String text, String data) {
        row.addObject().put("text", text).put("callback_data", data);
    }

    static void urlButton(ArrayNode row, String text, String url) {
        row.addObject().put("text", text).put("url", url);
    }

    static void webAppButton(ArrayNode row, String text, String url) {
        row.addObject().put("text", text).putObject("web_app").put("url", url);
    }

    /** Escapes text for parse_mode HTML. */
    static String html(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

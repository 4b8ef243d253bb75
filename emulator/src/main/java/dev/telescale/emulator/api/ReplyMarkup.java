package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.state.BotChat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validates reply_markup as the real server does (its error strings) and says what a Message
 * echoes back: only an inline keyboard is part of the Message object. A reply keyboard is not
 * echoed; it is remembered per chat instead ({@link #applyReplyKeyboard}), as a client shows it.
 *
 * <p>Web App buttons are checked in the order the real server checks them: the Bot API server
 * first parses the button's shape ({@code web_app} an object with a string {@code url}); TDLib
 * then refuses a reply-keyboard Web App button outside a private chat and any Web App URL that is
 * not HTTPS (its words, lower-cased first letter as the Bot API server sends them); Telegram's
 * servers last refuse an inline Web App button in a group or channel with BUTTON_TYPE_INVALID.
 * One deliberate difference: {@code http://localhost} and {@code http://127.0.0.1} (any port) are
 * accepted, so a Mini App served by a bot on this machine can be opened in the sandbox.
 */
public final class ReplyMarkup {
    /** Inline button fields the Bot API server reads before web_app: a button with one of them is not a Web App button. */
    private static final String[] INLINE_BEFORE_WEB_APP = {"url", "callback_data", "callback_game", "pay",
        "switch_inline_query", "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url"};
    /** Keyboard button fields read before web_app (the boolean ones count only when true). */
    private static final String[] KEYBOARD_BEFORE_WEB_APP = {"request_phone_number", "request_contact",
        "request_location", "request_poll"};

    private ReplyMarkup() {
    }

    /**
     * Parses and validates the call's reply_markup for a message in {@code chat}; returns the
     * inline keyboard to echo, or null.
     */
    public static JsonNode parse(ApiCall call, BotChat chat) {
        String raw = call.arg("reply_markup");
        if (raw == null) {
            return null;
        }
        JsonNode markup = Json.parseOrNull(raw);
        if (markup == null) {
            throw BotApiException.badRequest("can't parse reply keyboard markup JSON object");
        }
        return parseMarkup(markup, chat);
    }

    /**
     * Validates a reply markup object for a message in {@code chat} (also one nested in another
     * argument, such as an inline query result's); returns the inline keyboard to echo, or null.
     */
    public static JsonNode parseMarkup(JsonNode markup, BotChat chat) {
        return parseMarkup(markup, chat.chatId() > 0);
    }

    /** {@link #parseMarkup(JsonNode, BotChat)} for a message in a private chat or not. */
    public static JsonNode parseMarkup(JsonNode markup, boolean privateChat) {
        if (!markup.isObject()) {
            throw BotApiException.badRequest("object expected as reply markup");
        }
        if (markup.has("inline_keyboard")) {
            JsonNode rows = markup.get("inline_keyboard");
            if (!rows.isArray() || !allArrays(rows)) {
                throw BotApiException.badRequest(
                        "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
            }
            boolean webApp = false;
            for (JsonNode row : rows) {
                for (JsonNode button : row) {
                    if (!button.isObject()) {
                        throw BotApiException.badRequest(
                                "can't parse inline keyboard button: InlineKeyboardButton must be an Object");
                    }
                    if (!button.path("text").isTextual()) {
                        throw BotApiException.badRequest(
                                "can't parse inline keyboard button: Field \"text\" must be of type String");
                    }
                    if (!hasAction(button)) {
                        throw BotApiException.badRequest(
                                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
                    }
                    JsonNode data = button.get("callback_data");
                    if (data != null && (data.asText().isEmpty()
                            || data.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64)) {
                        throw BotApiException.badRequest("BUTTON_DATA_INVALID");
                    }
                    if (isWebAppButton(button, INLINE_BEFORE_WEB_APP)) {
                        String url = webAppUrl(button, "can't parse inline keyboard button: ");
                        checkWebAppUrl(url, "inline keyboard button Web App");
                        webApp = true;
                    }
                }
            }
            if (webApp && !privateChat) {
                throw BotApiException.badRequest("BUTTON_TYPE_INVALID");
            }
            return markup;
        }
        if (markup.has("keyboard")) {
            JsonNode rows = markup.get("keyboard");
            if (!rows.isArray() || !allArrays(rows)) {
                throw BotApiException.badRequest("field \"keyboard\" must be an Array of Arrays");
            }
            for (JsonNode row : rows) {
                for (JsonNode button : row) {
                    if (!button.isTextual() && !(button.isObject() && button.path("text").isTextual())) {
                        throw BotApiException.badRequest(
                                "can't parse keyboard button: KeyboardButton must be a String or an Object");
                    }
                    if (button.isObject() && isWebAppButton(button, KEYBOARD_BEFORE_WEB_APP)) {
                        String url = webAppUrl(button, "can't parse keyboard button: ");
                        if (!privateChat) {
                            throw BotApiException.badRequest("web App buttons can be used in private chats only");
                        }
                        checkWebAppUrl(url, "keyboard button Web App");
                    }
                }
            }
            return null;
        }
        if (markup.has("remove_keyboard") || markup.has("force_reply")) {
            return null;
        }
        throw BotApiException.badRequest("can't parse reply keyboard markup JSON object");
    }

    /**
     * Refuses a Web App URL the real server refuses, with its description:
     * "{what} URL '{url}' is invalid: {problem}" (for example "inline keyboard button Web App URL
     * 'http://example.com' is invalid: Only HTTPS links are allowed").
     */
    public static void checkWebAppUrl(String url, String what) {
        String problem = webAppUrlProblem(url);
        if (problem != null) {
            throw BotApiException.badRequest(what + " URL '" + url + "' is invalid: " + problem);
        }
    }

    /**
     * Why TDLib refuses a Web App URL (its words), or null when the URL is accepted: HTTPS only,
     * and a host with a dot; plus the emulator's one exception, http(s)://localhost and
     * http(s)://127.0.0.1 on any port.
     */
    public static String webAppUrlProblem(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tg:") || lower.startsWith("ton:") || lower.startsWith("tonsite:")) {
            return "Only HTTPS links are allowed";
        }
        int schemeEnd = lower.indexOf("://");
        String scheme = schemeEnd < 0 ? "http" : lower.substring(0, schemeEnd);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "Unsupported URL protocol";
        }
        String rest = schemeEnd < 0 ? lower : lower.substring(schemeEnd + 3);
        int end = rest.length();
        for (char stop : new char[] {'/', '?', '#'}) {
            int at = rest.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String authority = rest.substring(0, end);
        String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
        String host;
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            host = close < 0 ? hostAndPort : hostAndPort.substring(0, close + 1);
        } else {
            int colon = hostAndPort.indexOf(':');
            host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        }
        if (host.isEmpty()) {
            return "URL host is empty";
        }
        if (host.equals("localhost") || host.equals("127.0.0.1")) {
            return null;
        }
        if (!scheme.equals("https")) {
            return "Only HTTPS links are allowed";
        }
        if (!host.contains(".") && !host.startsWith("[")) {
            return "Wrong HTTP URL";
        }
        return null;
    }

    /** The url of a button's web_app object, with the Bot API server's shape errors. */
    private static String webAppUrl(JsonNode button, String errorPrefix) {
        JsonNode webApp = button.get("web_app");
        if (!webApp.isObject()) {
            throw BotApiException.badRequest(errorPrefix + "Field \"web_app\" must be of type Object");
        }
        JsonNode url = webApp.get("url");
        if (url == null || url.isNull()) {
            throw BotApiException.badRequest(errorPrefix + "Can't find field \"url\"");
        }
        if (!url.isTextual()) {
            throw BotApiException.badRequest(errorPrefix + "Field \"url\" must be of type String");
        }
        return url.asText();
    }

    private static boolean isWebAppButton(JsonNode button, String[] readBefore) {
        if (!button.has("web_app")) {
            return false;
        }
        for (String field : readBefore) {
            JsonNode value = button.get(field);
            if (value != null && !(value.isBoolean() && !value.asBoolean())) {
                return false;
            }
        }
        return true;
    }

    /** The web_app buttons of an inline keyboard (a stored message's reply_markup), in row order. */
    public static List<JsonNode> inlineWebAppButtons(JsonNode markup) {
        List<JsonNode> buttons = new ArrayList<>();
        for (JsonNode row : markup.path("inline_keyboard")) {
            for (JsonNode button : row) {
                if (button.isObject() && isWebAppButton(button, INLINE_BEFORE_WEB_APP)) {
                    buttons.add(button);
                }
            }
        }
        return buttons;
    }

    /**
     * Remembers in the chat what the call's reply_markup does to the reply keyboard: a
     * ReplyKeyboardMarkup replaces it, remove_keyboard clears it; no reply_markup, an inline
     * keyboard or force_reply leave it. Call after {@link #parse} accepted the markup.
     */
    public static void applyReplyKeyboard(ApiCall call, BotChat chat) {
        String raw = call.arg("reply_markup");
        JsonNode markup = raw == null ? null : Json.parseOrNull(raw);
        if (markup == null || !markup.isObject() || markup.has("inline_keyboard")) {
            return;
        }
        if (markup.path("keyboard").isArray()) {
            chat.setReplyKeyboard(replyKeyboard(markup));
        } else if (markup.has("remove_keyboard")) {
            chat.setReplyKeyboard(null);
        }
    }

    /** The keyboard as the sandbox shows it: rows of {"text",...} buttons and the display flags. */
    private static ObjectNode replyKeyboard(JsonNode markup) {
        ObjectNode keyboard = Json.object();
        ArrayNode rows = keyboard.putArray("keyboard");
        for (JsonNode row : markup.get("keyboard")) {
            ArrayNode buttons = rows.addArray();
            for (JsonNode button : row) {
                if (button.isTextual()) {
                    buttons.addObject().put("text", button.asText());
                } else if (button.isObject()) {
                    buttons.add(button.deepCopy());
                }
            }
        }
        keyboard.put("resize_keyboard", markup.path("resize_keyboard").asBoolean(false));
        keyboard.put("one_time_keyboard", markup.path("one_time_keyboard").asBoolean(false));
        keyboard.put("is_persistent", markup.path("is_persistent").asBoolean(false));
        JsonNode placeholder = markup.get("input_field_placeholder");
        if (placeholder != null && placeholder.isTextual() && !placeholder.asText().isEmpty()) {
            keyboard.put("input_field_placeholder", placeholder.asText());
        } else {
            keyboard.putNull("input_field_placeholder");
        }
        return keyboard;
    }

    private static boolean allArrays(JsonNode rows) {
        for (JsonNode row : rows) {
            if (!row.isArray()) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasAction(JsonNode button) {
        for (String action : new String[] {"callback_data", "url", "web_app", "login_url", "switch_inline_query",
                "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game",
                "pay"}) {
            if (button.has(action)) {
                return true;
            }
        }
        return false;
    }
}

package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.state.BotChat;

/**
 * Validates reply_markup as the real server does (its error strings) and says what a Message
 * echoes back: only an inline keyboard is part of the Message object. A reply keyboard is not
 * echoed; it is remembered per chat instead ({@link #applyReplyKeyboard}), as a client shows it.
 */
public final class ReplyMarkup {
    private ReplyMarkup() {
    }

    /** Parses and validates reply_markup; returns the inline keyboard to echo, or null. */
    public static JsonNode parse(ApiCall call) {
        String raw = call.arg("reply_markup");
        if (raw == null) {
            return null;
        }
        JsonNode markup = Json.parseOrNull(raw);
        if (markup == null) {
            throw BotApiException.badRequest("can't parse reply keyboard markup JSON object");
        }
        if (!markup.isObject()) {
            throw BotApiException.badRequest("object expected as reply markup");
        }
        if (markup.has("inline_keyboard")) {
            JsonNode rows = markup.get("inline_keyboard");
            if (!rows.isArray() || !allArrays(rows)) {
                throw BotApiException.badRequest(
                        "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
            }
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
                }
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

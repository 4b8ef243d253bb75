package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Validates reply_markup as the real server does (its error strings) and says what a Message
 * echoes back: only an inline keyboard is part of the Message object.
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

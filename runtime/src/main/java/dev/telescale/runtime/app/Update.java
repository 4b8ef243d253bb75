package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A read-only view of one Telegram update as the application receives it. The JSON is exactly
 * what Telegram sent; the accessors cover what most handlers need and never throw on shapes they
 * do not know (an unknown update kind simply has no message, text or chat).
 */
public record Update(long botId, long updateId, String type, JsonNode json) {
    /** The update's main object: the message, callback_query, my_chat_member, ... */
    public JsonNode body() {
        return json.path(type);
    }

    /** The message of message / edited_message / channel_post updates, or of a callback query. */
    public JsonNode message() {
        JsonNode body = body();
        return type.equals("callback_query") ? body.path("message") : body;
    }

    public boolean isMessage() {
        return type.equals("message");
    }

    /** The chat the update concerns, or 0. */
    public long chatId() {
        JsonNode chat = body().path("chat").path("id");
        if (chat.isNumber()) {
            return chat.asLong();
        }
        JsonNode messageChat = body().path("message").path("chat").path("id");
        if (messageChat.isNumber()) {
            return messageChat.asLong();
        }
        return fromUserId();
    }

    /** The user who caused the update, or 0. */
    public long fromUserId() {
        JsonNode from = body().path("from").path("id");
        if (from.isNumber()) {
            return from.asLong();
        }
        JsonNode user = body().path("user").path("id");
        return user.isNumber() ? user.asLong() : 0;
    }

    public boolean isPrivateChat() {
        return message().path("chat").path("type").asText("").equals("private") || type.equals("my_chat_member")
                && body().path("chat").path("type").asText("").equals("private");
    }

    /** The text of a message, or null. */
    public String text() {
        JsonNode text = isMessage() ? body().path("text") : null;
        return text != null && text.isTextual() ? text.asText() : null;
    }

    /** The command of a text message ("start" for "/start@bot payload"), or null. */
    public String command() {
        String text = text();
        if (text == null || !text.startsWith("/") || text.length() < 2) {
            return null;
        }
        int end = 1;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '@') {
            end++;
        }
        return text.substring(1, end).toLowerCase();
    }

    /** The text after the command ("payload" for "/start payload"), or "". */
    public String commandArgument() {
        String text = text();
        if (command() == null) {
            return "";
        }
        int space = text.indexOf(' ');
        return space < 0 ? "" : text.substring(space + 1).trim();
    }

    /** The callback data of a callback query, or null. */
    public String callbackData() {
        return type.equals("callback_query") ? body().path("data").asText(null) : null;
    }
}

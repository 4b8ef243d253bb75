package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tagged call Telegram accepted (see {@link Outgoing#call(long, long, String, com.fasterxml.jackson.databind.node.ObjectNode, String)}).
 *
 * @param viaBotId the bot that made the call
 * @param chatId   the chat it went to
 * @param method   the Bot API method
 * @param tag      the application's tag
 * @param result   Telegram's result: the Message of a send, an array for copyMessages or sendMediaGroup
 */
public record Delivery(long viaBotId, long chatId, String method, String tag, JsonNode result) {
}

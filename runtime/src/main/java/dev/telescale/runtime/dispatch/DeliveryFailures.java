package dev.telescale.runtime.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.outbound.OutboundMessage;
import java.io.IOException;

/**
 * Turns an outbound message that can never be delivered (403: the recipient blocked the bot, is
 * deactivated, never started it; or a 400) into an update for the application that produced it,
 * so it can end a chat or tell the sender, instead of the failure being dropped silently.
 *
 * <p>The report goes through the same journal and dispatch as Telegram's updates: it is durable,
 * handled exactly once (its update id is the negated outbox id, which cannot collide with
 * Telegram's ids), and in order with the updates of the chat whose handler produced the message.
 * Its JSON is {@code {"update_id": -N, "telescale_delivery_failed": {...}}}.
 */
public final class DeliveryFailures {
    public static final String TYPE = "telescale_delivery_failed";

    private static final ObjectMapper JSON = Json.newMapper();

    private DeliveryFailures() {
    }

    /** The origin recorded on outbound messages produced while handling {@code update}. */
    static String origin(InboundUpdate update) {
        return update.botId() + "|" + update.chatKey() + "|" + update.updateId();
    }

    /** The origin of calls a periodic task makes on behalf of a private chat (reports go to that chat). */
    static String taskOrigin(long botId, long chatId) {
        return botId + "|c:" + chatId + "|0";
    }

    /** The application's delivery tag of a message, or null. */
    public static String tagOf(OutboundMessage message) {
        if (!message.payloadJson().contains(OutboundMessage.TAG_FIELD)) {
            return null;
        }
        try {
            JsonNode tag = JSON.readTree(message.payloadJson()).path(OutboundMessage.TAG_FIELD);
            return tag.isTextual() ? tag.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The update reporting that {@code message} failed for good, or null when the message has no
     * update origin (a broadcast, an alert).
     *
     * @param reason "blocked", "deactivated", "not_started", "kicked", "rejected" or "gave_up"
     */
    public static InboundUpdate report(OutboundMessage message, String reason, int errorCode, String description,
                                       long nowMillis) {
        String[] parts = message.origin() == null ? new String[0] : message.origin().split("\\|", 3);
        if (parts.length != 3) {
            return null;
        }
        long originBot;
        try {
            originBot = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return null;
        }
        String chatKey = parts[1];
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        long updateId = -message.id();
        json.put("update_id", updateId);
        ObjectNode body = json.putObject(TYPE);
        body.put("via_bot_id", message.botId());
        body.put("chat_id", message.chatId());
        body.put("method", message.method());
        body.put("reason", reason);
        body.put("error_code", errorCode);
        body.put("description", description);
        body.put("origin_update_id", Long.parseLong(parts[2]));
        String tag = tagOf(message);
        if (tag != null) {
            body.put("tag", tag);
        }
        if (chatKey.startsWith("c:")) {
            body.put("origin_chat_id", Long.parseLong(chatKey.substring(2)));
        }
        return new InboundUpdate(originBot, updateId, chatKey, Partitioning.shardOf(originBot, chatKey), TYPE,
                json.toString(), nowMillis, 0);
    }
}

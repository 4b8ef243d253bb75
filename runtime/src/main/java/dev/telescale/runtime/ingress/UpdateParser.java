package dev.telescale.runtime.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.json.Json;
import java.util.Iterator;

/**
 * Turns a raw Update from Telegram into an {@link InboundUpdate}: its type and its ordering key.
 * Everything about one private user shares the key {@code c:<user id>} (their messages, their
 * button presses, their payments, their blocking the bot), so an application sees a user's
 * actions strictly in order; group chats use their chat id; anything else falls back to the
 * sender. Unknown update kinds are accepted (and later counted and ignored by applications).
 * Stateless and thread-safe.
 */
public final class UpdateParser {
    private static final ObjectMapper JSON = Json.newMapper();

    private UpdateParser() {
    }

    /** Parses one update; throws IllegalArgumentException with a short reason when it is not an Update. */
    public static InboundUpdate parse(long botId, String raw, long receivedAtMillis) {
        JsonNode json;
        try {
            json = JSON.readTree(raw);
        } catch (Exception e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        return parse(botId, json, raw, receivedAtMillis);
    }

    public static InboundUpdate parse(long botId, JsonNode json, String raw, long receivedAtMillis) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("an update must be a JSON object");
        }
        JsonNode id = json.get("update_id");
        if (id == null || !id.canConvertToLong() || id.asLong() < 0) {
            throw new IllegalArgumentException("update_id is missing or not a number");
        }
        String type = null;
        Iterator<String> names = json.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("update_id")) {
                type = name;
                break;
            }
        }
        if (type == null) {
            type = "empty";
        }
        String chatKey = chatKey(type, json.path(type), id.asLong());
        return new InboundUpdate(botId, id.asLong(), chatKey, Partitioning.shardOf(botId, chatKey), type, raw,
                receivedAtMillis, 0);
    }

    static String chatKey(String type, JsonNode body, long updateId) {
        JsonNode chat = body.path("chat").path("id");
        if (chat.canConvertToLong() && !body.path("chat").isMissingNode()) {
            return "c:" + chat.asLong();
        }
        JsonNode messageChat = body.path("message").path("chat").path("id");
        if (messageChat.canConvertToLong() && !body.path("message").path("chat").isMissingNode()) {
            return "c:" + messageChat.asLong();
        }
        JsonNode from = body.path("from").path("id");
        if (from.canConvertToLong() && !body.path("from").isMissingNode()) {
            return "c:" + from.asLong();
        }
        JsonNode user = body.path("user").path("id");
        if (user.canConvertToLong() && !body.path("user").isMissingNode()) {
            return "c:" + user.asLong();
        }
        return "u:" + type + ":" + updateId;
    }
}

package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Who an application's broadcasts reach and how a message becomes a call, for the runtime's
 * resumable broadcasts ({@link Broadcasts}): the runtime stores each broadcast, and its broadcasts
 * task (one instance at a time, every second) asks for the next recipients after the broadcast's
 * cursor and queues their calls on the outbox's broadcast lane in the same transaction that moves
 * the cursor. A crash resumes at the cursor; nobody is sent a broadcast twice.
 */
public interface BroadcastAudience {
    /** The segments a broadcast can target, the first being everybody. */
    List<String> segments();

    /** How many users a segment has now (the broadcast's expected total). */
    long count(TaskContext context, String segment) throws Exception;

    /**
     * Up to {@code limit} recipients of {@code segment} whose cursor is above {@code afterCursor},
     * in ascending cursor order (a user number, say). Fewer than {@code limit} means the end.
     */
    List<Recipient> next(TaskContext context, String segment, long afterCursor, int limit) throws Exception;

    /**
     * The call that delivers {@code message} (what the broadcast was started with) to a recipient,
     * or empty to skip them. The default sends {@code message.text} as plain text.
     */
    default Optional<Call> render(JsonNode message, Recipient recipient, long originBotId, long originChatId) {
        JsonNode text = message.path("text");
        if (!text.isTextual()) {
            return Optional.empty();
        }
        ObjectNode params = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        params.put("text", text.asText());
        return Optional.of(new Call("sendMessage", params));
    }

    /** What the admin who started a broadcast from a chat is told when every recipient is queued. */
    default String doneNotice(long broadcastId, long queued) {
        return "Broadcast #" + broadcastId + " is fully queued: " + queued + " recipients.";
    }

    /** One recipient: their position in the audience's order, and the bot and chat to reach them through. */
    record Recipient(long cursor, long botId, long chatId) {
    }

    /** A Bot API call for one recipient. */
    record Call(String method, ObjectNode params) {
    }
}

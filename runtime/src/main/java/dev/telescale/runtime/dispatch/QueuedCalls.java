package dev.telescale.runtime.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.outbound.OutboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@link Outgoing} of one update: collects calls in memory; the dispatcher writes them to the
 * outbox in the update's transaction. Not thread-safe (one handler, one thread).
 */
final class QueuedCalls implements Outgoing {
    private final long botId;
    private final String origin;
    private final Set<Long> hostedBotIds;
    private final long nowMillis;
    private final List<OutboundMessage> messages;

    QueuedCalls(long botId, String origin, Set<Long> hostedBotIds, long nowMillis) {
        this(botId, origin, hostedBotIds, nowMillis, new ArrayList<>());
    }

    /** Calls that go to {@code sink}, shared with other origins of the same transaction, in call order. */
    QueuedCalls(long botId, String origin, Set<Long> hostedBotIds, long nowMillis, List<OutboundMessage> sink) {
        this.messages = sink;
        this.botId = botId;
        this.origin = origin;
        this.hostedBotIds = hostedBotIds;
        this.nowMillis = nowMillis;
    }

    @Override
    public void call(long chatId, String method, ObjectNode params) {
        add(botId, chatId, method, params, OutboundMessage.CONVERSATION);
    }

    @Override
    public void call(long viaBotId, long chatId, String method, ObjectNode params) {
        add(viaBotId, chatId, method, params, OutboundMessage.CONVERSATION);
    }

    @Override
    public void call(long viaBotId, long chatId, String method, ObjectNode params, String tag) {
        add(viaBotId, chatId, method, params, OutboundMessage.CONVERSATION, tag);
    }

    @Override
    public void broadcast(long viaBotId, long chatId, String method, ObjectNode params) {
        add(viaBotId, chatId, method, params, OutboundMessage.BROADCAST);
    }

    @Override
    public void sendMessage(long chatId, String text) {
        ObjectNode params = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        params.put("text", text);
        call(chatId, "sendMessage", params);
    }

    private void add(long viaBotId, long chatId, String method, ObjectNode params, int lane) {
        add(viaBotId, chatId, method, params, lane, null);
    }

    private void add(long viaBotId, long chatId, String method, ObjectNode params, int lane, String tag) {
        if (!hostedBotIds.contains(viaBotId)) {
            throw new IllegalArgumentException("bot " + viaBotId + " is not hosted by this deployment");
        }
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("a Bot API method is required");
        }
        ObjectNode payload = params.deepCopy();
        if (!payload.hasNonNull("chat_id")) { // a call about another chat (getChatMember of a channel) keeps its own
            payload.put("chat_id", chatId);
        }
        if (tag != null) {
            payload.put(OutboundMessage.TAG_FIELD, tag);
        }
        messages.add(new OutboundMessage(0, viaBotId, chatId, Partitioning.shardOfChat(viaBotId, chatId), lane, method,
                payload.toString(), 0, nowMillis, origin));
    }

    List<OutboundMessage> messages() {
        return messages;
    }
}

package dev.telescale.runtime.app;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Bot API calls an update handler wants made. They are written to the durable outbox in the
 * update's transaction and sent after it commits, in order per recipient chat, within flood
 * limits. A call may go out through any bot of the deployment (cross-bot chats). {@code chatId}
 * names the chat whose queue (order, flood limits, failure reports) the call joins; it is also the
 * call's {@code chat_id} unless the parameters name another (a getChatMember about a channel made
 * on behalf of a user, say).
 */
public interface Outgoing {
    /** Queues a call through the bot that received the update. */
    void call(long chatId, String method, ObjectNode params);

    /** Queues a call through another bot of this deployment. */
    void call(long viaBotId, long chatId, String method, ObjectNode params);

    /**
     * Queues a call through any bot of this deployment and asks for its outcome: when Telegram
     * accepts it, {@link BotApplication#onDelivered} receives the result with this {@code tag}; when
     * it fails for good, the {@code telescale_delivery_failed} update carries the tag. Use it to
     * learn the message id a copy got (reply and edit mapping) or which message was not delivered.
     */
    void call(long viaBotId, long chatId, String method, ObjectNode params, String tag);

    /** Queues a broadcast-lane call: sent only when no conversation traffic is waiting. */
    void broadcast(long viaBotId, long chatId, String method, ObjectNode params);

    /** sendMessage with plain text through the bot that received the update. */
    void sendMessage(long chatId, String text);
}

package dev.telescale.runtime.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.runtime.telegram.ApiResult;

/**
 * What the application learns about its outbound messages. Called from the sender's virtual
 * threads, after the queue has recorded the outcome, possibly concurrently for different chats.
 * Exceptions thrown here are logged and ignored: they never stop the sender.
 */
public interface DeliveryListener {

    /** Telegram accepted the call; {@code result} is its result (the Message for sends). */
    void onSent(OutboundMessage message, JsonNode result);

    /** 403: the recipient blocked the bot, is deactivated, never started it, or the bot left the group. */
    void onUndeliverable(OutboundMessage message, ApiResult.Unreachable why);

    /** 400 (or another non-retryable 4xx): the call is wrong and was dropped; the chat's next message goes on. */
    void onRejected(OutboundMessage message, ApiResult.Rejected why);

    /** Transient failures lasted past the retry deadline; the message was dropped. */
    void onGaveUp(OutboundMessage message, String reason);

    /** A listener that does nothing. */
    static DeliveryListener none() {
        return new DeliveryListener() {
            @Override
            public void onSent(OutboundMessage message, JsonNode result) {
            }

            @Override
            public void onUndeliverable(OutboundMessage message, ApiResult.Unreachable why) {
            }

            @Override
            public void onRejected(OutboundMessage message, ApiResult.Rejected why) {
            }

            @Override
            public void onGaveUp(OutboundMessage message, String reason) {
            }
        };
    }
}

package dev.telescale.anonchat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.runtime.app.BroadcastAudience;
import dev.telescale.runtime.app.TaskContext;
import java.util.List;
import java.util.Optional;

/**
 * Who the anonymous chat's broadcasts reach (onboarded users who have not blocked the bot, by
 * user number: all, VIP, or by language) and how the admin's message reaches each: copied within
 * the bot it was sent to, sent afresh through another bot (its files carried across as for a
 * relay), or plain text from the dashboard. The runtime's broadcasts task does the sending.
 * Stateless; thread-safe.
 */
final class Audience implements BroadcastAudience {
    @Override
    public List<String> segments() {
        return Admin.SEGMENTS;
    }

    @Override
    public long count(TaskContext context, String segment) {
        return Admin.segmentSize(context.dao(Store.class), segment, context.clock().millis(), 0);
    }

    @Override
    public List<Recipient> next(TaskContext context, String segment, long afterCursor, int limit) {
        return Admin.recipients(context.dao(Store.class), segment, context.clock().millis(), afterCursor, limit);
    }

    @Override
    public Optional<Call> render(JsonNode message, Recipient recipient, long originBotId, long originChatId) {
        if (recipient.botId() == originBotId && originChatId != 0 && message.path("message_id").isNumber()) {
            Content.Call copy = Content.copy(originChatId, message.path("message_id").asLong());
            return Optional.of(new Call(copy.method(), copy.params()));
        }
        return Content.kind(message).flatMap(kind -> Content.resend(message, kind, originBotId))
                .map(call -> new Call(call.method(), call.params()));
    }
}

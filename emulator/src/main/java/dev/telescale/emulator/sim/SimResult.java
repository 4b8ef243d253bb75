package dev.telescale.emulator.sim;

import java.util.List;

/**
 * What a simulated action produced: the update ids the bot will receive (none when the bot's
 * allowed_updates exclude the type) and the message ids created in the chat.
 */
public record SimResult(List<Long> updateIds, List<Integer> messageIds, String queryId) {
    public static SimResult of(Long updateId, Integer messageId) {
        return new SimResult(updateId == null ? List.of() : List.of(updateId),
                messageId == null ? List.of() : List.of(messageId), null);
    }

    public Long updateId() {
        return updateIds.isEmpty() ? null : updateIds.getFirst();
    }

    public Integer messageId() {
        return messageIds.isEmpty() ? null : messageIds.getFirst();
    }
}

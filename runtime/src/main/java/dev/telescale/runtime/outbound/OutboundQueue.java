package dev.telescale.runtime.outbound;

import java.util.Collection;
import java.util.List;

/**
 * The outbox the {@link Sender} drains: durable in production (package storage), in memory in
 * tests. Implementations must be thread-safe and each operation atomic: the sender calls them
 * from many virtual threads at once, one message per (bot, chat) at a time.
 */
public interface OutboundQueue {

    /**
     * The sendable head of each (bot, chat) in the given shards: per chat only its lowest-id
     * pending message, returned when its {@code notBeforeMillis <= nowMillis} (a chat whose head
     * waits is skipped entirely, so order is never broken). Lane 0 heads come before lane 1 heads,
     * each lane oldest first; at most {@code limit} messages.
     */
    List<OutboundMessage> heads(Collection<Integer> shards, long nowMillis, int limit);

    /** Telegram accepted it: it leaves the queue and the chat's next message becomes the head. */
    void markSent(long id);

    /** Try again, not before the given time; {@code attempts} is stored as given. */
    void reschedule(long id, long notBeforeMillis, int attempts);

    /** Failed for good (rejected, unreachable, retries exhausted): it leaves the queue with the reason. */
    void markFailed(long id, String error);
}

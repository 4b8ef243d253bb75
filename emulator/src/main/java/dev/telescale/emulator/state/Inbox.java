package dev.telescale.emulator.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything each bot sent to each chat, in order, for the simulation API and tests. Bounded
 * per chat (oldest dropped). Thread-safe: one deque per (bot, chat), each guarded by itself;
 * sequence numbers from one atomic counter give a global order.
 */
public final class Inbox {
    private final Map<String, ArrayDeque<InboxEvent>> byChat = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final int maxEventsPerChat;

    public Inbox(int maxEventsPerChat) {
        this.maxEventsPerChat = maxEventsPerChat;
    }

    public InboxEvent record(long botId, long chatId, String event, int messageId, long atMillis,
                             com.fasterxml.jackson.databind.node.ObjectNode payload) {
        ArrayDeque<InboxEvent> events = byChat.computeIfAbsent(key(botId, chatId), k -> new ArrayDeque<>());
        synchronized (events) {
            InboxEvent recorded = new InboxEvent(sequence.incrementAndGet(), event, messageId, atMillis, payload);
            events.addLast(recorded);
            while (events.size() > maxEventsPerChat) {
                events.removeFirst();
            }
            return recorded;
        }
    }

    /** Events of one chat with seq greater than {@code afterSeq}, in order. */
    public List<InboxEvent> events(long botId, long chatId, long afterSeq) {
        ArrayDeque<InboxEvent> events = byChat.get(key(botId, chatId));
        if (events == null) {
            return List.of();
        }
        synchronized (events) {
            List<InboxEvent> result = new ArrayList<>();
            for (InboxEvent event : events) {
                if (event.seq() > afterSeq) {
                    result.add(event);
                }
            }
            return result;
        }
    }

    private static String key(long botId, long chatId) {
        return botId + ":" + chatId;
    }
}

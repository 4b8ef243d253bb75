package dev.telescale.runtime.outbound;

import dev.telescale.runtime.ingress.Partitioning;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link OutboundQueue} in memory, for tests only: the durable outbox lives in package storage.
 * Thread-safe: every operation holds this object's monitor.
 */
final class InMemoryOutboundQueue implements OutboundQueue {
    private record ChatKey(long botId, long chatId) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<ChatKey, TreeMap<Long, OutboundMessage>> pending = new HashMap<>();
    private final Map<Long, ChatKey> chatOf = new HashMap<>();
    private final List<Long> sentIds = new ArrayList<>();
    private final Map<Long, String> failures = new LinkedHashMap<>();

    synchronized OutboundMessage enqueue(long botId, long chatId, int lane, String method, String payloadJson) {
        OutboundMessage message = new OutboundMessage(ids.incrementAndGet(), botId, chatId,
                Partitioning.shardOfChat(botId, chatId), lane, method, payloadJson, 0, 0, "test");
        ChatKey key = new ChatKey(botId, chatId);
        pending.computeIfAbsent(key, k -> new TreeMap<>()).put(message.id(), message);
        chatOf.put(message.id(), key);
        return message;
    }

    @Override
    public synchronized List<OutboundMessage> heads(Collection<Integer> shards, long nowMillis, int limit) {
        Set<Integer> owned = new HashSet<>(shards);
        List<OutboundMessage> ready = new ArrayList<>();
        for (TreeMap<Long, OutboundMessage> chat : pending.values()) {
            if (chat.isEmpty()) {
                continue;
            }
            OutboundMessage head = chat.firstEntry().getValue();
            if (owned.contains(head.shard()) && head.notBeforeMillis() <= nowMillis) {
                ready.add(head);
            }
        }
        ready.sort(Comparator.comparingInt(OutboundMessage::lane).thenComparingLong(OutboundMessage::id));
        return ready.size() > limit ? List.copyOf(ready.subList(0, limit)) : ready;
    }

    @Override
    public synchronized void markSent(long id) {
        remove(id);
        sentIds.add(id);
    }

    @Override
    public synchronized void reschedule(long id, long notBeforeMillis, int attempts) {
        ChatKey key = chatOf.get(id);
        OutboundMessage message = key == null ? null : pending.get(key).get(id);
        if (message == null) {
            throw new IllegalStateException("message " + id + " is not pending");
        }
        pending.get(key).put(id, new OutboundMessage(id, message.botId(), message.chatId(), message.shard(),
                message.lane(), message.method(), message.payloadJson(), attempts, notBeforeMillis, message.origin()));
    }

    @Override
    public synchronized void markFailed(long id, String error) {
        remove(id);
        failures.put(id, error);
    }

    private void remove(long id) {
        ChatKey key = chatOf.remove(id);
        if (key == null || pending.get(key).remove(id) == null) {
            throw new IllegalStateException("message " + id + " is not pending (finished twice?)");
        }
    }

    synchronized int pendingCount() {
        return pending.values().stream().mapToInt(Map::size).sum();
    }

    synchronized List<Long> sentIds() {
        return List.copyOf(sentIds);
    }

    synchronized Map<Long, String> failures() {
        return Map.copyOf(failures);
    }
}

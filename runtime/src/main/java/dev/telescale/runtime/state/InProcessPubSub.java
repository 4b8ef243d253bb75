package dev.telescale.runtime.state;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Pub/sub within one process. Subscriptions of a channel live in a copy-on-write set that is
 * created and emptied only inside {@code compute}, so a subscribe racing the last unsubscribe
 * never lands in a set already dropped from the map. Delivery goes through each subscription's
 * {@link ListenerMailbox}, never on the publisher's thread.
 */
final class InProcessPubSub implements PubSub {
    private final StateCounters counters;
    private final ConcurrentHashMap<String, Set<ListenerMailbox>> channels = new ConcurrentHashMap<>();

    InProcessPubSub(StateCounters counters) {
        this.counters = counters;
    }

    @Override
    public void publish(String channel, String message) {
        Set<ListenerMailbox> mailboxes = channels.get(channel);
        if (mailboxes != null) {
            mailboxes.forEach(mailbox -> mailbox.offer(message));
        }
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        ListenerMailbox mailbox = new ListenerMailbox(channel, listener, counters);
        channels.compute(channel, (key, current) -> {
            Set<ListenerMailbox> mailboxes = current == null ? new CopyOnWriteArraySet<>() : current;
            mailboxes.add(mailbox);
            return mailboxes;
        });
        return () -> {
            channels.computeIfPresent(channel, (key, current) -> {
                current.remove(mailbox);
                return current.isEmpty() ? null : current;
            });
            mailbox.close();
        };
    }

    void close() {
        channels.values().forEach(mailboxes -> mailboxes.forEach(ListenerMailbox::close));
        channels.clear();
    }
}

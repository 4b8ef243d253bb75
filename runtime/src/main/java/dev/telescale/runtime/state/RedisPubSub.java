package dev.telescale.runtime.state;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub over Redis channels {@code <prefix>ps:<channel>}: publishes go over the shared command
 * connection, subscriptions over a dedicated pub/sub connection.
 *
 * <p>Concurrency: Lettuce calls {@code message} on its I/O thread; it only looks up the channel's
 * mailboxes and enqueues ({@link ListenerMailbox}), so listeners run on virtual threads and a slow
 * one never stalls the connection. {@link #lock} serializes changes to the subscriber registry
 * with the SUBSCRIBE / UNSUBSCRIBE they imply, so Redis's subscriptions follow the registry; the
 * I/O thread reads the registry without the lock (concurrent map of copy-on-write sets).
 *
 * <p>Outages: subscribing while Redis is down succeeds locally and marks the registry for
 * re-subscription; the health probe of {@link RedisState} re-subscribes every registered channel
 * before it reports healthy again (Lettuce re-subscribes by itself too; SUBSCRIBE is idempotent).
 * Messages published while a subscriber was disconnected are lost (pub/sub is at most once).
 */
final class RedisPubSub implements PubSub {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPubSub.class);

    private final RedisCalls redis;
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final StateCounters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Set<ListenerMailbox>> subscribers = new ConcurrentHashMap<>();
    private volatile boolean resubscribeNeeded;

    RedisPubSub(RedisCalls redis, StatefulRedisPubSubConnection<String, String> connection, StateCounters counters) {
        this.redis = redis;
        this.connection = connection;
        this.counters = counters;
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                Set<ListenerMailbox> mailboxes = subscribers.get(channel);
                if (mailboxes != null) {
                    mailboxes.forEach(mailbox -> mailbox.offer(message));
                }
            }
        });
    }

    @Override
    public void publish(String channel, String message) {
        String redisChannel = redis.key("ps", channel);
        redis.call("publish", commands -> commands.publish(redisChannel, message));
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        String redisChannel = redis.key("ps", channel);
        ListenerMailbox mailbox = new ListenerMailbox(channel, listener, counters);
        lock.lock();
        try {
            Set<ListenerMailbox> mailboxes = subscribers.computeIfAbsent(redisChannel, key -> new CopyOnWriteArraySet<>());
            mailboxes.add(mailbox);
            if (mailboxes.size() == 1) {
                try {
                    redis.call("subscribe", commands -> {
                        connection.sync().subscribe(redisChannel);
                        return null;
                    });
                } catch (StateUnavailableException e) {
                    resubscribeNeeded = true;
                    LOG.warn("Redis unavailable; channel {} will be subscribed when it is back", channel);
                }
            }
        } finally {
            lock.unlock();
        }
        return () -> unsubscribe(redisChannel, mailbox);
    }

    private void unsubscribe(String redisChannel, ListenerMailbox mailbox) {
        mailbox.close();
        lock.lock();
        try {
            Set<ListenerMailbox> mailboxes = subscribers.get(redisChannel);
            if (mailboxes == null || !mailboxes.remove(mailbox) || !mailboxes.isEmpty()) {
                return;
            }
            subscribers.remove(redisChannel);
            try {
                redis.call("unsubscribe", commands -> {
                    connection.sync().unsubscribe(redisChannel);
                    return null;
                });
            } catch (StateUnavailableException e) {
                // The server forgets our subscriptions when the connection drops; a message for a
                // channel nobody listens to any more is ignored by message().
            }
        } finally {
            lock.unlock();
        }
    }

    void markResubscribeNeeded() {
        resubscribeNeeded = true;
    }

    /** Re-subscribes every registered channel if an outage may have lost them; throws while Redis is down. */
    void resubscribeIfNeeded() {
        if (!resubscribeNeeded) {
            return;
        }
        lock.lock();
        try {
            String[] channels = subscribers.keySet().toArray(String[]::new);
            if (channels.length > 0) {
                redis.call("resubscribe", commands -> {
                    connection.sync().subscribe(channels);
                    return null;
                });
            }
            resubscribeNeeded = false;
        } finally {
            lock.unlock();
        }
    }

    void ping() {
        redis.call("pub/sub ping", commands -> connection.sync().ping());
    }

    void close() {
        lock.lock();
        try {
            subscribers.values().forEach(mailboxes -> mailboxes.forEach(ListenerMailbox::close));
            subscribers.clear();
        } finally {
            lock.unlock();
        }
    }
}

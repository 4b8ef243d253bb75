package dev.telescale.runtime.state;

import java.util.function.Consumer;

/**
 * Fire-and-forget broadcast between instances (at most once; nothing is stored for subscribers
 * that are away). Listeners never run on the publisher's thread or a Redis I/O thread: each
 * subscription has its own ordered mailbox drained by a virtual thread, so a slow listener delays
 * only itself. A listener's exception is logged and counted ({@link StateCounters}), never
 * propagated.
 */
public interface PubSub {
    void publish(String channel, String message);

    /** Registers {@code listener}; closing the returned handle unsubscribes it. */
    AutoCloseable subscribe(String channel, Consumer<String> listener);
}

package dev.telescale.runtime.state;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered, bounded mailbox of one pub/sub subscription.
 *
 * <p>Concurrency: {@link #offer} is called by publishers (in process) or the Redis I/O thread and
 * never blocks or runs listener code: it enqueues and, if no drainer runs, starts one virtual
 * thread. The {@code draining} flag guarantees at most one drainer, so the listener sees messages
 * one at a time in arrival order; a drainer that finds the queue empty clears the flag and
 * re-checks, so no message is stranded. A full mailbox ({@value #CAPACITY} messages) drops new
 * messages and counts them. Listener exceptions are logged and counted.
 */
final class ListenerMailbox {
    static final int CAPACITY = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ListenerMailbox.class);
    private static final ThreadFactory DRAINERS = Thread.ofVirtual().name("telescale-pubsub-", 0).factory();

    private final String channel;
    private final Consumer<String> listener;
    private final StateCounters counters;
    private final Queue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;

    ListenerMailbox(String channel, Consumer<String> listener, StateCounters counters) {
        this.channel = channel;
        this.listener = listener;
        this.counters = counters;
    }

    void offer(String message) {
        if (closed) {
            return;
        }
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            counters.deliveryDropped();
            return;
        }
        queue.add(message);
        if (draining.compareAndSet(false, true)) {
            DRAINERS.newThread(this::drain).start();
        }
    }

    void close() {
        closed = true;
        queue.clear();
    }

    private void drain() {
        do {
            String message;
            while (!closed && (message = queue.poll()) != null) {
                size.decrementAndGet();
                deliver(message);
            }
            draining.set(false);
        } while (!closed && !queue.isEmpty() && draining.compareAndSet(false, true));
    }

    private void deliver(String message) {
        try {
            listener.accept(message);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            counters.listenerFailed();
            LOG.warn("pub/sub listener on channel {} failed", channel, e);
        }
    }
}

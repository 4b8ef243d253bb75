package dev.telescale.runtime.state;

import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic counters of one {@link SharedState}, for metrics. Thread-safe; incremented from any
 * thread without locking.
 */
public final class StateCounters {
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder droppedDeliveries = new LongAdder();
    private final LongAdder droppedPublishes = new LongAdder();
    private final LongAdder degradedCalls = new LongAdder();

    /** Pub/sub listener invocations that threw. */
    public long listenerFailures() {
        return listenerFailures.sum();
    }

    /** Messages not delivered because a subscriber's mailbox was full. */
    public long droppedDeliveries() {
        return droppedDeliveries.sum();
    }

    /** Publishes dropped because the backend was unreachable (degraded mode). */
    public long droppedPublishes() {
        return droppedPublishes.sum();
    }

    /** Calls answered by the in-process fallback (or by refusing) while the backend was unreachable. */
    public long degradedCalls() {
        return degradedCalls.sum();
    }

    void listenerFailed() {
        listenerFailures.increment();
    }

    void deliveryDropped() {
        droppedDeliveries.increment();
    }

    void publishDropped() {
        droppedPublishes.increment();
    }

    void degradedCall() {
        degradedCalls.increment();
    }

    @Override
    public String toString() {
        return "listenerFailures=" + listenerFailures() + " droppedDeliveries=" + droppedDeliveries()
                + " droppedPublishes=" + droppedPublishes() + " degradedCalls=" + degradedCalls();
    }
}

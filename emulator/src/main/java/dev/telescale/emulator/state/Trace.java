package dev.telescale.emulator.state;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A timeline of update deliveries and bot calls, so a load tool can measure the time from an
 * update's delivery to the bot's resulting call. Events go to subscribers synchronously (an
 * in-process load tool) and to a bounded ring buffer read over HTTP. Thread-safe: the ring is
 * guarded by its own lock; timestamps are {@link System#nanoTime()} converted to microseconds
 * since the emulator started, so they are monotonic.
 */
public final class Trace {
    /**
     * @param kind     "delivered" (an update reached the bot) or "call" (the bot called a method)
     * @param updateId for "delivered"; 0 otherwise
     * @param method   for "call"; the method in lower case
     * @param status   for "call": the HTTP status answered
     */
    public record Event(long seq, String kind, long botId, long chatId, long updateId, String method, int status,
                        int messageId, long atMicros) {
    }

    /** Receives events as they happen; must be fast and must not throw. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(Event event);
    }

    private final long startNanos = System.nanoTime();
    private final AtomicLong sequence = new AtomicLong();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Event[] ring;
    private long written;

    public Trace(int capacity) {
        this.ring = new Event[Math.max(0, capacity)];
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Listener listener) {
        listeners.remove(listener);
    }

    public long nowMicros() {
        return (System.nanoTime() - startNanos) / 1_000;
    }

    public void delivered(long botId, long chatId, long updateId) {
        emit("delivered", botId, chatId, updateId, null, 0, 0);
    }

    public void call(long botId, long chatId, String method, int status, int messageId) {
        emit("call", botId, chatId, 0, method, status, messageId);
    }

    private void emit(String kind, long botId, long chatId, long updateId, String method, int status, int messageId) {
        if (ring.length == 0 && listeners.isEmpty()) {
            return;
        }
        Event event = new Event(sequence.incrementAndGet(), kind, botId, chatId, updateId, method, status, messageId,
                nowMicros());
        for (Listener listener : listeners) {
            listener.onEvent(event);
        }
        if (ring.length > 0) {
            synchronized (ring) {
                ring[(int) (written++ % ring.length)] = event;
            }
        }
    }

    /** Buffered events with seq greater than {@code afterSeq}, oldest first (older ones may be overwritten). */
    public List<Event> since(long afterSeq, int max) {
        List<Event> result = new ArrayList<>();
        synchronized (ring) {
            long first = Math.max(0, written - ring.length);
            for (long i = first; i < written && result.size() < max; i++) {
                Event event = ring[(int) (i % ring.length)];
                if (event != null && event.seq() > afterSeq) {
                    result.add(event);
                }
            }
        }
        return result;
    }
}

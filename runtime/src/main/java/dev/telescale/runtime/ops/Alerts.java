package dev.telescale.runtime.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short alert texts for the admins' control chat (ADMIN_CONTROL_CHAT_ID), through a sink the
 * runtime connects to the sender. An alert identical to one sent within the de-duplication window
 * is dropped, and at most {@code perMinute} alerts go out in any 60 s; what is dropped is counted,
 * and the next alert that goes out says how many were suppressed, so a storm (Redis down on every
 * request) yields a few messages, not thousands.
 *
 * <p>Every alert is also logged at WARN, sent or not. The decision is made under a lock; the sink
 * is called outside it, so a slow sink never blocks other threads' decisions. A sink that throws
 * is logged and the alert counted as failed; it never reaches the caller. Thread-safe; time comes
 * from the injected clock.
 */
public final class Alerts {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_PER_MINUTE = 10;
    /** Telegram's limit is 4096 characters; leave room for the suppression note. */
    static final int MAX_TEXT = 3900;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    /** What became of one alert. */
    public enum Outcome { SENT, DUPLICATE, RATE_LIMITED, FAILED }

    private final Consumer<String> sink;
    private final InstantSource clock;
    private final Duration dedupWindow;
    private final int perMinute;

    private final Object lock = new Object();
    /** Guarded by lock: when each distinct text was last sent. */
    private final Map<String, Instant> lastSent = new HashMap<>();
    /** Guarded by lock: send times within the last minute, oldest first. */
    private final ArrayDeque<Instant> recentSends = new ArrayDeque<>();
    /** Guarded by lock: suppressed since the last alert that went out. */
    private long suppressedSinceLastSend;
    /** Guarded by lock. */
    private long suppressedTotal;

    public Alerts(Consumer<String> sink, InstantSource clock) {
        this(sink, clock, DEFAULT_DEDUP_WINDOW, DEFAULT_PER_MINUTE);
    }

    public Alerts(Consumer<String> sink, InstantSource clock, Duration dedupWindow, int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be at least 1");
        }
        this.sink = sink;
        this.clock = clock;
        this.dedupWindow = dedupWindow;
        this.perMinute = perMinute;
    }

    /** Sends {@code text} unless it repeats a recent alert or the rate limit is reached. */
    public Outcome send(String text) {
        String alert = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT - 3) + "..." : text;
        String message;
        synchronized (lock) {
            Instant now = clock.instant();
            forgetOlderThan(now);
            Instant previous = lastSent.get(alert);
            if (previous != null && now.isBefore(previous.plus(dedupWindow))) {
                suppress();
                log.warn("alert (duplicate, not sent): {}", alert);
                return Outcome.DUPLICATE;
            }
            if (recentSends.size() >= perMinute) {
                suppress();
                log.warn("alert (rate limited, not sent): {}", alert);
                return Outcome.RATE_LIMITED;
            }
            lastSent.put(alert, now);
            recentSends.addLast(now);
            message = suppressedSinceLastSend == 0 ? alert
                    : alert + "\n(" + suppressedSinceLastSend + " more alert" + (suppressedSinceLastSend == 1 ? "" : "s")
                    + " suppressed since the previous one)";
            suppressedSinceLastSend = 0;
        }
        log.warn("alert: {}", alert);
        try {
            sink.accept(message);
            return Outcome.SENT;
        } catch (RuntimeException e) {
            log.error("alert could not be sent: {}", alert, e);
            return Outcome.FAILED;
        }
    }

    /** Alerts suppressed (duplicates and over the rate limit) since this object was created. */
    public long suppressed() {
        synchronized (lock) {
            return suppressedTotal;
        }
    }

    private void suppress() {
        suppressedSinceLastSend++;
        suppressedTotal++;
    }

    private void forgetOlderThan(Instant now) {
        while (!recentSends.isEmpty() && !recentSends.peekFirst().plus(MINUTE).isAfter(now)) {
            recentSends.removeFirst();
        }
        for (Iterator<Instant> sent = lastSent.values().iterator(); sent.hasNext(); ) {
            if (!sent.next().plus(dedupWindow).isAfter(now)) {
                sent.remove();
            }
        }
    }
}

package dev.telescale.bench;

import dev.telescale.emulator.state.Trace;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Pairs each update the emulator delivered to the bot with the bot's resulting message in the same
 * chat, and records the time between them.
 *
 * <p>Design: the emulator calls {@link #onEvent} synchronously from its own request threads, so
 * events of one chat can arrive from several threads. Each chat has a {@link Lane} guarded by its
 * own monitor, holding, in order, the deliveries not answered yet, the planned send times of the
 * messages not answered yet (pushed by the load generator before it sends, so the echo is also
 * measured from when it should have been sent: coordinated omission stays visible), and answers
 * that arrived before their delivery was traced (the webhook delivery is traced when the bot's 2xx
 * reaches the emulator, which can be a hair after the bot already answered). A chat's answers
 * come in order (the runtime keeps per-chat order), so the n-th answer belongs to the n-th
 * delivery. Redelivered updates (long polling may return an update twice) are recognised by
 * their update id, which grows per chat. Histograms are synchronized; counters are adders.
 *
 * <p>Relays (the anonymous chat): the answer to a sender's update is the partner's bot sending the
 * copy into the partner's chat, so the lane is the sender's chat for deliveries and the partner's
 * partner (the sender) for calls. Only chats named in the partner map count, so what happens
 * before the scenario fills it (onboarding, matching) is not measured.
 */
final class LatencyRecorder implements Trace.Listener {
    static final long HIGHEST_MICROS = 3_600_000_000L;

    private final Set<Long> botIds;
    private final Map<Long, Long> partnerOf;
    private final Trace trace;
    private final long traceOffsetNanos;
    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();
    private final SynchronizedHistogram deliveredToCall = new SynchronizedHistogram(HIGHEST_MICROS, 3);
    private final SynchronizedHistogram plannedToCall = new SynchronizedHistogram(HIGHEST_MICROS, 3);
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder measuredAnswered = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder tooManyRequests = new LongAdder();
    private final AtomicLong lastMeasuredCallMicros = new AtomicLong();
    private volatile long measureFromMicros = Long.MAX_VALUE;
    private volatile long withinLimitMicros = Long.MAX_VALUE;
    private final LongAdder answeredWithinLimit = new LongAdder();

    /** Answers in the same chat as the update (the echo bot). */
    LatencyRecorder(long botId, Trace trace) {
        this(Set.of(botId), trace, null);
    }

    /**
     * @param partnerOf null: answers in the update's own chat; otherwise the answer to a sender's
     *                  update is a message into {@code partnerOf.get(sender)}, and chats not in the
     *                  map are ignored (the map may be filled later, and must be thread-safe)
     */
    LatencyRecorder(Set<Long> botIds, Trace trace, Map<Long, Long> partnerOf) {
        this.botIds = Set.copyOf(botIds);
        this.partnerOf = partnerOf;
        this.trace = trace;
        this.traceOffsetNanos = System.nanoTime() - trace.nowMicros() * 1_000;
    }

    /** A {@link System#nanoTime()} value on the trace's clock (microseconds since the emulator started). */
    long traceMicros(long nanoTime) {
        return (nanoTime - traceOffsetNanos) / 1_000;
    }

    /** Answers to messages planned at or after this time go into the histograms. */
    void measureFrom(long nanoTime) {
        measureFromMicros = traceMicros(nanoTime);
    }

    /** Counts answers that arrive within this time of their planned send ({@link #answeredWithinLimit()}). */
    void countAnswersWithin(long micros) {
        withinLimitMicros = micros;
    }

    /** Called by the load generator just before a message of this chat is sent. */
    void planned(long chatId, long plannedNanoTime) {
        Lane lane = lane(chatId);
        synchronized (lane) {
            lane.planned.addLast(traceMicros(plannedNanoTime));
        }
    }

    /** Takes back the last planned time of a chat whose send failed (the caller sends one message at a time per chat). */
    void unplanned(long chatId) {
        Lane lane = lane(chatId);
        synchronized (lane) {
            lane.planned.pollLast();
        }
    }

    @Override
    public void onEvent(Trace.Event event) {
        if (!botIds.contains(event.botId()) || event.chatId() == 0) {
            return;
        }
        if (event.kind().equals("delivered")) {
            if (partnerOf == null || partnerOf.containsKey(event.chatId())) {
                delivered(event);
            }
        } else if (event.kind().equals("call") && isReply(event.method())) {
            // For relays the call goes to the partner's chat; the partner's partner is the sender.
            Long lane = partnerOf == null ? Long.valueOf(event.chatId()) : partnerOf.get(event.chatId());
            if (lane == null) {
                return;
            }
            if (event.status() == 200) {
                answered(event, lane);
            } else {
                failedCalls.increment();
                if (event.status() == 429) {
                    tooManyRequests.increment();
                }
            }
        }
    }

    private static boolean isReply(String method) {
        return "sendmessage".equals(method) || "copymessage".equals(method);
    }

    private void delivered(Trace.Event event) {
        Lane lane = lane(event.chatId());
        long planned;
        long callMicros;
        synchronized (lane) {
            if (event.updateId() <= lane.lastUpdateId) {
                return;
            }
            lane.lastUpdateId = event.updateId();
            deliveries.increment();
            if (lane.earlyCalls.isEmpty()) {
                lane.deliveredAt.addLast(event.atMicros());
                return;
            }
            callMicros = lane.earlyCalls.pollFirst();
            planned = lane.planned.isEmpty() ? -1 : lane.planned.pollFirst();
        }
        record(event.atMicros(), callMicros, planned);
    }

    private void answered(Trace.Event event, long laneChat) {
        Lane lane = lane(laneChat);
        long deliveredAt;
        long planned;
        synchronized (lane) {
            if (lane.deliveredAt.isEmpty()) {
                lane.earlyCalls.addLast(event.atMicros());
                return;
            }
            deliveredAt = lane.deliveredAt.pollFirst();
            planned = lane.planned.isEmpty() ? -1 : lane.planned.pollFirst();
        }
        record(deliveredAt, event.atMicros(), planned);
    }

    private void record(long deliveredAt, long callAt, long planned) {
        answered.increment();
        if (planned >= 0 && callAt - planned <= withinLimitMicros) {
            answeredWithinLimit.increment();
        }
        if (planned >= 0 && planned < measureFromMicros) {
            return;
        }
        deliveredToCall.recordValue(clamp(callAt - deliveredAt));
        if (planned >= 0) {
            plannedToCall.recordValue(clamp(callAt - planned));
        }
        measuredAnswered.increment();
        lastMeasuredCallMicros.accumulateAndGet(callAt, Math::max);
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(HIGHEST_MICROS, micros));
    }

    private Lane lane(long chatId) {
        return lanes.computeIfAbsent(chatId, id -> new Lane());
    }

    long answered() {
        return answered.sum();
    }

    long deliveries() {
        return deliveries.sum();
    }

    long measuredAnswered() {
        return measuredAnswered.sum();
    }

    long answeredWithinLimit() {
        return answeredWithinLimit.sum();
    }

    long failedCalls() {
        return failedCalls.sum();
    }

    long tooManyRequests() {
        return tooManyRequests.sum();
    }

    long lastMeasuredCallMicros() {
        return lastMeasuredCallMicros.get();
    }

    long measureFromMicros() {
        return measureFromMicros;
    }

    /** Answers no delivery was found for: a message the bot sent twice. */
    long unmatchedAnswers() {
        long total = 0;
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                total += lane.earlyCalls.size();
            }
        }
        return total;
    }

    Histogram deliveredToCall() {
        return deliveredToCall.copy();
    }

    Histogram plannedToCall() {
        return plannedToCall.copy();
    }

    /** The 99th percentile so far, in milliseconds, for the progress line. */
    double p99MillisSoFar() {
        return deliveredToCall.getValueAtPercentile(99) / 1_000.0;
    }

    private static final class Lane {
        long lastUpdateId;
        final ArrayDeque<Long> deliveredAt = new ArrayDeque<>();
        final ArrayDeque<Long> planned = new ArrayDeque<>();
        final ArrayDeque<Long> earlyCalls = new ArrayDeque<>();
    }
}

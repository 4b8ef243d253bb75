package dev.telescale.runtime.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flood-safe sender: drains the {@link OutboundQueue} of the shards this instance owns into
 * Bot API calls, one chat at a time, within Telegram's limits, retrying what can be retried.
 *
 * <p><b>Concurrency.</b> One virtual thread, the scheduler, polls {@code heads(ownedShards, now)}
 * and starts one virtual-thread worker per head whose chat has nothing in flight. The set of chats
 * in flight belongs to the scheduler alone (no lock): a worker never removes its chat itself but
 * posts it to {@code completions} after it has written the outcome to the queue, and the
 * scheduler releases completed chats only at the start of an iteration, before it polls. So a
 * poll never returns a head that a worker has finished with but the queue did not yet show as
 * finished: no stale head is sent twice, and no back-off is skipped. The scheduler sleeps up to
 * 250 ms, or until the earliest back-off it knows of ends, or until {@link #wake()} (new messages,
 * a finished worker), but polls at most every 20 ms.
 *
 * <p><b>Ordering.</b> Per (bot, chat) strictly by id: the queue hands out only a chat's lowest
 * pending id, and at most one message per chat is in flight. A message that must wait (rate
 * limit, 429, back-off) is rescheduled and stays the chat's head, so nothing behind it overtakes
 * it; the next one is sent only after it was sent or dropped for good. Lane 0 (conversations)
 * heads come first in every poll and broadcasts are held to {@link SenderSettings#broadcastMaxInFlight()}
 * slots and to the limiter's broadcast share of the bot's rate, so a broadcast backlog never
 * delays conversations.
 *
 * <p><b>Limits and retries.</b> Each worker first asks the {@link SendRateLimiter}; a refusal
 * reschedules the message by the wait, with no call. Then:
 * 429: pause the chat, or the whole bot when another chat of the bot got a 429 within a second or
 * the bot's own budget is nearly spent, for retry_after, and retry the same message (429s never
 * exhaust retries: Telegram said when to come back). Transient (5xx, HTML, reset, timeout):
 * back-off with full jitter, random in [0, min(max, base * 2^attempts)], until the retry deadline
 * since the first attempt, then dropped ({@code onGaveUp}). 400: dropped ({@code onRejected}); 403:
 * dropped ({@code onUndeliverable}). The first attempt time is kept in memory only: after a restart
 * or a shard move the deadline starts again, which delays giving up but loses nothing.
 *
 * <p><b>Delivery.</b> At least once: a call whose answer is lost (timeout, reset after Telegram
 * read it) is retried and may show twice; a queue failure after a successful call does too.
 */
public final class Sender {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final ObjectMapper JSON = Json.newMapper();
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MIN_POLL_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long BOT_WIDE_WINDOW_MILLIS = 1_000;

    private record ChatKey(long botId, long chatId) {
        static ChatKey of(OutboundMessage message) {
            return new ChatKey(message.botId(), message.chatId());
        }
    }

    private record Recent429(long atMillis, long chatId) {
    }

    private final OutboundQueue queue;
    private final BotApiClient client;
    private final Function<Long, BotToken> tokens;
    private final SendRateLimiter limiter;
    private final Supplier<Collection<Integer>> ownedShards;
    private final InstantSource clock;
    private final DeliveryListener listener;
    private final SenderSettings settings;
    private final FileTransfers transfers;

    // scheduler-owned: chats in flight and their lanes
    private final Map<ChatKey, Integer> inFlightLanes = new HashMap<>();
    private int broadcastsInFlight;
    private final Queue<ChatKey> completions = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    private final Map<Long, Long> firstAttemptMillis = new ConcurrentHashMap<>();
    private final Map<Long, Deque<Recent429>> recent429s = new ConcurrentHashMap<>();
    private final AtomicLong earliestDueMillis = new AtomicLong(Long.MAX_VALUE);

    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeCondition = wakeLock.newCondition();
    private boolean wakeRequested;

    private final LongAdder sent = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder rateLimited429 = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private volatile boolean running;
    private Thread scheduler;
    private ExecutorService workers;

    public Sender(OutboundQueue queue, BotApiClient client, Function<Long, BotToken> tokens, SendRateLimiter limiter,
                  Supplier<Collection<Integer>> ownedShards, InstantSource clock, DeliveryListener listener,
                  SenderSettings settings) {
        this(queue, client, tokens, limiter, ownedShards, clock, listener, settings, TransferredFiles.none());
    }

    /** A sender that resolves cross-bot file placeholders with {@link FileTransfers}, remembering uploads in {@code files}. */
    public Sender(OutboundQueue queue, BotApiClient client, Function<Long, BotToken> tokens, SendRateLimiter limiter,
                  Supplier<Collection<Integer>> ownedShards, InstantSource clock, DeliveryListener listener,
                  SenderSettings settings, TransferredFiles files) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.client = Objects.requireNonNull(client, "client");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.ownedShards = Objects.requireNonNull(ownedShards, "ownedShards");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transfers = new FileTransfers(client, tokens, files);
    }

    /** Starts the scheduler. */
    public synchronized void start() {
        if (scheduler != null) {
            throw new IllegalStateException("the sender was already started");
        }
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("telescale-send-", 0).factory());
        scheduler = Thread.ofVirtual().name("telescale-sender").start(this::schedule);
    }

    /**
     * Stops taking new messages and waits up to {@code drainTimeout} for the calls in flight;
     * calls still running then are interrupted (their messages stay queued and are retried later).
     */
    public synchronized void stop(Duration drainTimeout) {
        if (scheduler == null || !running) {
            return;
        }
        running = false;
        wake();
        try {
            scheduler.join(drainTimeout);
            workers.shutdown();
            if (!workers.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("sender: {} calls still in flight after {}; interrupting them", inFlight.get(), drainTimeout);
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the scheduler to poll soon (at most every 20 ms); call after enqueueing messages. */
    public void wake() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            wakeCondition.signal();
        } finally {
            wakeLock.unlock();
        }
    }

    public SenderStats stats() {
        return new SenderStats(sent.sum(), retried.sum(), rateLimited429.sum(), failed.sum(), inFlight.get());
    }

    // ---- scheduler ----

    private void schedule() {
        long lastPoll = System.nanoTime() - IDLE_POLL_NANOS;
        while (running) {
            awaitNextPoll(lastPoll);
            if (!running) {
                break;
            }
            lastPoll = System.nanoTime();
            releaseCompleted();
            try {
                if (pollAndDispatch()) {
                    wake(); // a full page: more heads may be ready
                }
            } catch (RuntimeException e) {
                log.error("sender: polling the outbound queue failed; retrying", e);
            }
        }
    }

    private void releaseCompleted() {
        ChatKey done;
        while ((done = completions.poll()) != null) {
            Integer lane = inFlightLanes.remove(done);
            if (lane != null && lane != OutboundMessage.CONVERSATION) {
                broadcastsInFlight--;
            }
        }
    }

    /** One poll; true when the page was full. */
    private boolean pollAndDispatch() {
        if (inFlightLanes.size() >= settings.maxInFlight()) {
            return false;
        }
        long now = clock.millis();
        long due = earliestDueMillis.getAndSet(Long.MAX_VALUE);
        if (due > now && due != Long.MAX_VALUE) {
            noteDue(due);
        }
        List<OutboundMessage> heads = queue.heads(ownedShards.get(), now, settings.pollLimit());
        for (OutboundMessage message : heads) {
            if (inFlightLanes.size() >= settings.maxInFlight()) {
                break;
            }
            ChatKey key = ChatKey.of(message);
            boolean broadcast = message.lane() != OutboundMessage.CONVERSATION;
            if (inFlightLanes.containsKey(key) || (broadcast && broadcastsInFlight >= settings.broadcastMaxInFlight())) {
                continue;
            }
            inFlightLanes.put(key, message.lane());
            if (broadcast) {
                broadcastsInFlight++;
            }
            inFlight.incrementAndGet();
            workers.execute(() -> process(message, key));
        }
        return heads.size() >= settings.pollLimit();
    }

    private void awaitNextPoll(long lastPollNanos) {
        wakeLock.lock();
        try {
            while (running && !wakeRequested) {
                long idleLeft = lastPollNanos + IDLE_POLL_NANOS - System.nanoTime();
                long due = earliestDueMillis.get();
                long dueLeft = due == Long.MAX_VALUE ? Long.MAX_VALUE
                        : TimeUnit.MILLISECONDS.toNanos(Math.max(0, due - clock.millis()));
                long wait = Math.min(idleLeft, dueLeft);
                if (wait <= 0) {
                    break;
                }
                wakeCondition.awaitNanos(wait);
            }
            wakeRequested = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } finally {
            wakeLock.unlock();
        }
        long gap = lastPollNanos + MIN_POLL_GAP_NANOS - System.nanoTime();
        if (gap > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(gap);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void noteDue(long atMillis) {
        earliestDueMillis.accumulateAndGet(atMillis, Math::min);
    }

    // ---- workers ----

    private void process(OutboundMessage message, ChatKey key) {
        try {
            long now = clock.millis();
            long wait = limiter.tryAcquire(message.botId(), message.chatId(), message.chatId() < 0, message.lane());
            if (wait > 0) {
                reschedule(message, now + wait, message.attempts());
                return;
            }
            firstAttemptMillis.putIfAbsent(message.id(), now);
            ApiResult result = callTelegram(message);
            handle(message, result);
        } catch (RuntimeException e) {
            log.error("sender: message {} of bot {} failed inside the sender; retrying", message.id(),
                    message.botId(), e);
            try {
                onTransient(message, "internal error: " + e);
            } catch (RuntimeException again) {
                log.error("sender: could not reschedule message {}", message.id(), again);
            }
        } finally {
            inFlight.decrementAndGet();
            completions.add(key);
            wake();
        }
    }

    private ApiResult callTelegram(OutboundMessage message) {
        BotToken token = tokens.apply(message.botId());
        if (token == null) {
            return new ApiResult.Transient("no token known for bot " + message.botId());
        }
        ObjectNode params;
        try {
            JsonNode parsed = JSON.readTree(message.payloadJson());
            if (!(parsed instanceof ObjectNode object)) {
                return new ApiResult.Rejected(400, "Bad Request: outbound payload is not a JSON object");
            }
            params = object;
        } catch (IOException e) {
            return new ApiResult.Rejected(400, "Bad Request: outbound payload is not valid JSON");
        }
        params.remove(OutboundMessage.TAG_FIELD);
        if (!FileTransfers.hasPlaceholders(message.payloadJson())) {
            return client.call(token, message.method(), params);
        }
        return switch (transfers.prepare(message.botId(), message.method(), params)) {
            case FileTransfers.Failed failed -> failed.result();
            case FileTransfers.Ready ready -> {
                FileTransfers.Prepared prepared = ready.prepared();
                ApiResult result = prepared.multipart()
                        ? client.callMultipart(token, message.method(), prepared.params(), prepared.files())
                        : client.call(token, message.method(), prepared.params());
                if (result instanceof ApiResult.Ok ok) {
                    try {
                        transfers.remember(message.botId(), prepared, ok.result());
                    } catch (RuntimeException e) {
                        log.warn("sender: remembering the file_ids of message {} failed", message.id(), e);
                    }
                }
                yield result;
            }
        };
    }

    private void handle(OutboundMessage message, ApiResult result) {
        switch (result) {
            case ApiResult.Ok ok -> {
                queue.markSent(message.id());
                firstAttemptMillis.remove(message.id());
                sent.increment();
                notify(() -> listener.onSent(message, ok.result()));
            }
            case ApiResult.RetryAfter retry -> on429(message, retry);
            case ApiResult.Transient failure -> onTransient(message, failure.reason());
            case ApiResult.Rejected rejected -> {
                queue.markFailed(message.id(), rejected.code() + " " + rejected.description());
                firstAttemptMillis.remove(message.id());
                failed.increment();
                notify(() -> listener.onRejected(message, rejected));
            }
            case ApiResult.Unreachable unreachable -> {
                queue.markFailed(message.id(), unreachable.code() + " " + unreachable.description());
                firstAttemptMillis.remove(message.id());
                failed.increment();
                notify(() -> listener.onUndeliverable(message, unreachable));
            }
        }
    }

    private void on429(OutboundMessage message, ApiResult.RetryAfter retry) {
        rateLimited429.increment();
        long now = clock.millis();
        Duration pause = Duration.ofSeconds(Math.max(1, retry.seconds()));
        if (otherChatGot429Recently(message, now) || limiter.botNearLimit(message.botId())) {
            limiter.pauseBot(message.botId(), pause);
            log.info("sender: bot {} paused {} s after 429s in several chats", message.botId(), pause.toSeconds());
        } else {
            limiter.pauseChat(message.botId(), message.chatId(), pause);
        }
        retried.increment();
        // Telegram said when to come back: time spent obeying it does not count against the deadline.
        firstAttemptMillis.remove(message.id());
        reschedule(message, now + pause.toMillis(), message.attempts() + 1);
    }

    /** Records this 429; true when another chat of the same bot got one within the last second. */
    private boolean otherChatGot429Recently(OutboundMessage message, long now) {
        Deque<Recent429> recent = recent429s.computeIfAbsent(message.botId(), id -> new ArrayDeque<>());
        synchronized (recent) {
            while (!recent.isEmpty() && recent.peekFirst().atMillis() < now - BOT_WIDE_WINDOW_MILLIS) {
                recent.pollFirst();
            }
            boolean other = recent.stream().anyMatch(r -> r.chatId() != message.chatId());
            recent.addLast(new Recent429(now, message.chatId()));
            if (recent.size() > 64) {
                recent.pollFirst();
            }
            return other;
        }
    }

    private void onTransient(OutboundMessage message, String reason) {
        long now = clock.millis();
        long first = firstAttemptMillis.getOrDefault(message.id(), now);
        if (now - first >= settings.retryDeadline().toMillis()) {
            String why = "gave up after " + (message.attempts() + 1) + " attempts: " + reason;
            queue.markFailed(message.id(), why);
            firstAttemptMillis.remove(message.id());
            failed.increment();
            notify(() -> listener.onGaveUp(message, why));
            return;
        }
        long ceiling = Math.min(settings.maxBackoff().toMillis(),
                settings.baseBackoff().toMillis() << Math.min(20, message.attempts()));
        long delay = ThreadLocalRandom.current().nextLong(ceiling + 1);
        retried.increment();
        reschedule(message, now + delay, message.attempts() + 1);
    }

    private void reschedule(OutboundMessage message, long notBefore, int attempts) {
        queue.reschedule(message.id(), notBefore, attempts);
        noteDue(notBefore);
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.error("sender: a delivery listener failed", e);
        }
    }
}

package dev.telescale.runtime.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.app.Translations;
import dev.telescale.runtime.app.Update;
import dev.telescale.runtime.app.UpdateContext;
import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.storage.Database;
import dev.telescale.runtime.storage.Outbox;
import dev.telescale.runtime.storage.TelegramUser;
import dev.telescale.runtime.storage.UpdateJournal;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs journaled updates through their applications: strictly one at a time per chat lane (bot +
 * chat key), many lanes at once on virtual threads.
 *
 * <p>Exactly-once effects: each update is handled in one database transaction that first claims
 * it (pending to done; a claim that finds it already done means another instance handled it, and
 * the transaction is rolled back), then runs the handler, whose DAO writes join the transaction,
 * then writes the handler's outgoing calls to the outbox. A crash before the commit leaves the
 * update pending and nothing sent; after the commit, the outbox holds what must be sent.
 *
 * <p>Where updates come from: the local ingress hands over what it just journaled (fast path), and
 * a scanner reads pending updates of the shards this instance owns from the journal (restart,
 * takeover, other instances' ingress). A set of the update ids queued or in flight keeps the two
 * from running one update twice here. Memory is bounded: beyond {@code maxQueued} updates the
 * fast path stops taking and the scanner fetches later.
 *
 * <p>Order across restarts and takeovers: the claim also refuses an update while an older update
 * of the same chat is still pending, which happens when that older one is only in the journal
 * (the lane had not loaded it yet); the lane then loads the chat's pending updates and runs them
 * in order.
 *
 * <p>Failures: a handler exception is logged and counted, the transaction rolled back, and the
 * update retried after a pause while its lane waits (order is kept); after {@code maxAttempts} it
 * is recorded as failed and the lane goes on. Other lanes are never delayed by it. Storage trouble
 * is not counted against the update: the lane stops and leaves its updates pending for the
 * scanner. On shutdown a lane stops before its next update, so nothing runs out of order.
 *
 * <p>Users: before the handler runs, outside its transaction, the update is shown to the {@link
 * UserDirectory} (which records its sender); a failure there is logged and the update handled
 * anyway. Handlers read users through the directory ({@link UpdateContext#user()}).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final ObjectMapper JSON = Json.newMapper();

    /** Tuning. */
    public record Settings(int maxQueued, int maxAttempts, Duration retryPause, Duration scanInterval, int scanBatch,
                           int maxConcurrentHandlers) {
        public static Settings defaults() {
            return new Settings(20_000, 3, Duration.ofMillis(500), Duration.ofMillis(500), 2_000, 256);
        }
    }

    /** Thrown inside the transaction when the claim finds the update handled already. */
    private static final class AlreadyHandled extends RuntimeException {
        AlreadyHandled() {
            super(null, null, false, false);
        }
    }

    /** Carries a handler's checked exception through the transaction callback. */
    private static final class HandlerFailure extends RuntimeException {
        HandlerFailure(Exception cause) {
            super(cause);
        }
    }

    private static final class ChatLane {
        final PriorityQueue<InboundUpdate> queue = new PriorityQueue<>(
                (a, b) -> Long.compare(a.updateId(), b.updateId()));
        boolean running;
    }

    private final Database database;
    private final UpdateJournal journal;
    private final Outbox outbox;
    private final Map<Long, HostedBot> bots;
    private final Set<Long> hostedBotIds;
    private final Supplier<Set<Integer>> ownedShards;
    private final Runnable afterCommit;
    private final DispatchListener listener;
    private final UserDirectory users;
    private final InstantSource clock;
    private final Settings settings;
    private final Map<String, ChatLane> lanes = new ConcurrentHashMap<>();
    private final Set<String> queuedOrRunning = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger liveLanes = new AtomicInteger();
    private final Semaphore handlerPermits;
    private final Semaphore scanSignal = new Semaphore(0);
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private Thread scanner;

    public Dispatcher(Database database, UpdateJournal journal, Outbox outbox, Collection<HostedBot> bots,
                      Supplier<Set<Integer>> ownedShards, Runnable afterCommit, DispatchListener listener,
                      UserDirectory users, InstantSource clock, Settings settings) {
        this.database = database;
        this.journal = journal;
        this.outbox = outbox;
        this.bots = new ConcurrentHashMap<>();
        bots.forEach(bot -> this.bots.put(bot.botId(), bot));
        this.hostedBotIds = Set.copyOf(this.bots.keySet());
        this.ownedShards = ownedShards;
        this.afterCommit = afterCommit;
        this.listener = listener;
        this.users = users;
        this.clock = clock;
        this.settings = settings;
        this.handlerPermits = new Semaphore(settings.maxConcurrentHandlers());
    }

    public void start() {
        scanner = Thread.ofVirtual().name("dispatch-scanner").start(this::scanLoop);
    }

    /** Updates this instance just journaled; those of shards it owns start at once. */
    public void submit(List<InboundUpdate> updates) {
        if (!accepting.get()) {
            return;
        }
        Set<Integer> owned = ownedShards.get();
        for (InboundUpdate update : updates) {
            if (owned.contains(update.shard())) {
                enqueue(update);
            }
        }
    }

    /** Asks the scanner to look at the journal now (another instance journaled something for us). */
    public void wakeScanner() {
        scanSignal.release();
    }

    /** Updates queued or being handled on this instance. */
    public int queuedCount() {
        return queued.get();
    }

    public int runningCount() {
        return running.get();
    }

    private void enqueue(InboundUpdate update) {
        enqueue(update, false);
    }

    /** Queues an update on its lane; {@code force} ignores the memory bound (an older update a lane waits for). */
    private void enqueue(InboundUpdate update, boolean force) {
        if (!force && queued.get() >= settings.maxQueued()) {
            return;
        }
        if (!queuedOrRunning.add(key(update))) {
            return;
        }
        queued.incrementAndGet();
        String laneKey = update.botId() + "/" + update.chatKey();
        boolean[] startDrain = new boolean[1];
        lanes.compute(laneKey, (k, lane) -> {
            ChatLane target = lane == null ? new ChatLane() : lane;
            target.queue.add(update);
            if (!target.running) {
                target.running = true;
                startDrain[0] = true;
            }
            return target;
        });
        if (startDrain[0]) {
            liveLanes.incrementAndGet();
            Thread.ofVirtual().name("lane-" + laneKey).start(() -> {
                try {
                    drain(laneKey);
                } finally {
                    liveLanes.decrementAndGet();
                }
            });
        }
    }

    /** What became of one update on its lane. */
    private enum Outcome {
        /** Handled, handled elsewhere already, or recorded as failed: the lane goes on. */
        FINISHED,
        /** An older update of the same chat is still pending: it must run first. */
        WAITS_FOR_OLDER,
        /** Shutting down, or storage trouble: the update stays pending and the lane stops here. */
        LEFT_PENDING
    }

    private void drain(String laneKey) {
        while (true) {
            InboundUpdate[] next = new InboundUpdate[1];
            lanes.compute(laneKey, (k, lane) -> {
                if (lane == null) {
                    return null;
                }
                next[0] = accepting.get() ? lane.queue.poll() : null;
                if (next[0] == null) {
                    forget(lane.queue);
                    return null;
                }
                return lane;
            });
            if (next[0] == null) {
                return;
            }
            InboundUpdate update = next[0];
            Outcome outcome;
            try {
                outcome = process(update);
            } catch (Throwable e) {
                log.error("dispatching update {} of bot {} failed; it stays pending", update.updateId(),
                        update.botId(), e);
                outcome = Outcome.LEFT_PENDING;
            } finally {
                queuedOrRunning.remove(key(update));
                queued.decrementAndGet();
            }
            switch (outcome) {
                case FINISHED -> {
                }
                case WAITS_FOR_OLDER -> {
                    // Restart, takeover or a full queue left an older update of this chat in the journal only.
                    try {
                        for (InboundUpdate pending : journal.pendingForChat(update.botId(), update.chatKey(), 100)) {
                            enqueue(pending, true);
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        abandon(laneKey);
                        return;
                    } catch (RuntimeException e) {
                        log.warn("reloading chat {} of bot {} failed; the scanner will", update.chatKey(),
                                update.botId(), e);
                        abandon(laneKey);
                        return;
                    }
                }
                case LEFT_PENDING -> {
                    abandon(laneKey);
                    return;
                }
            }
        }
    }

    /** Stops a lane and forgets what it had queued (it stays pending in the journal for the scanner). */
    private void abandon(String laneKey) {
        lanes.compute(laneKey, (k, lane) -> {
            if (lane != null) {
                forget(lane.queue);
            }
            return null;
        });
    }

    private void forget(PriorityQueue<InboundUpdate> queue) {
        InboundUpdate left;
        while ((left = queue.poll()) != null) {
            queuedOrRunning.remove(key(left));
            queued.decrementAndGet();
        }
    }

    private Outcome process(InboundUpdate update) {
        HostedBot bot = bots.get(update.botId());
        if (bot == null) {
            journal.markFailed(update.botId(), update.updateId(), "no bot " + update.botId() + " is hosted here");
            listener.gaveUp(update, "none", "bot not hosted");
            return Outcome.FINISHED;
        }
        String application = bot.application().name();
        JsonNode json;
        try {
            json = JSON.readTree(update.payload());
        } catch (Exception e) {
            journal.markFailed(update.botId(), update.updateId(), "unparsable JSON");
            listener.gaveUp(update, application, "unparsable JSON");
            return Outcome.FINISHED;
        }
        Update view = new Update(update.botId(), update.updateId(), update.type(), json);
        observeUsers(view);
        int attempt = update.attempts();
        while (accepting.get()) {
            attempt++;
            long start = System.nanoTime();
            try {
                handlerPermits.acquire();
                running.incrementAndGet();
                try {
                    database.inTransaction(handle -> {
                        if (!journal.claimInOrder(handle, update.botId(), update.chatKey(), update.updateId())) {
                            throw new AlreadyHandled();
                        }
                        QueuedCalls calls = new QueuedCalls(update.botId(), DeliveryFailures.origin(update),
                                hostedBotIds, clock.millis());
                        try {
                            bot.application().handle(new Context(view, calls, handle, bot.application().translations()));
                        } catch (RuntimeException e) {
                            throw new HandlerFailure(e);
                        } catch (Exception e) {
                            throw new HandlerFailure(e);
                        }
                        if (!calls.messages().isEmpty()) {
                            outbox.enqueue(handle, calls.messages());
                        }
                        return null;
                    });
                } finally {
                    running.decrementAndGet();
                    handlerPermits.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.LEFT_PENDING;
            } catch (RuntimeException e) {
                Throwable cause = unwrap(e);
                if (cause instanceof AlreadyHandled) {
                    return stillPending(update) ? Outcome.WAITS_FOR_OLDER : Outcome.FINISHED;
                }
                if (!causedByHandler(e)) {
                    // Storage trouble is not the handler's fault: no attempt counted, the update stays pending.
                    log.warn("storage failed while handling update {} of bot {}; it stays pending", update.updateId(),
                            update.botId(), e);
                    pause(settings.retryPause());
                    return Outcome.LEFT_PENDING;
                }
                log.warn("{} failed on update {} of bot {} (attempt {})", application, update.updateId(),
                        update.botId(), attempt, cause);
                listener.handlerFailed(update, application, cause, attempt);
                int attempts = journal.recordAttempt(update.botId(), update.updateId());
                if (attempts >= settings.maxAttempts()) {
                    journal.markFailed(update.botId(), update.updateId(), describe(cause));
                    listener.gaveUp(update, application, describe(cause));
                    return Outcome.FINISHED;
                }
                if (!pause(settings.retryPause().multipliedBy(attempts))) {
                    return Outcome.LEFT_PENDING;
                }
                continue;
            }
            afterCommitQuietly(update, application, System.nanoTime() - start);
            return Outcome.FINISHED;
        }
        return Outcome.LEFT_PENDING;
    }

    private static boolean causedByHandler(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof HandlerFailure) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    /** True when the update is still pending in the journal (its claim waited for an older one). */
    private boolean stillPending(InboundUpdate update) {
        return journal.pendingForChat(update.botId(), update.chatKey(), 100).stream()
                .anyMatch(pending -> pending.updateId() == update.updateId());
    }

    /** Work after a commit; its failure must not look like a handler failure. */
    private void afterCommitQuietly(InboundUpdate update, String application, long handleNanos) {
        try {
            afterCommit.run();
        } catch (RuntimeException e) {
            log.warn("waking the sender after update {} failed; it polls by itself", update.updateId(), e);
        }
        try {
            listener.handled(update, application, handleNanos);
        } catch (RuntimeException e) {
            log.warn("reporting update {} as handled failed", update.updateId(), e);
        }
    }

    /** Sleeps; false when interrupted. */
    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void observeUsers(Update view) {
        try {
            users.observe(view);
        } catch (RuntimeException e) {
            log.warn("recording the sender of update {} of bot {} failed; handling it anyway", view.updateId(),
                    view.botId(), e);
        }
    }

    /** The handler's own exception, or the claim's AlreadyHandled, out of whatever wrapped it. */
    private static Throwable unwrap(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof AlreadyHandled) {
                return current;
            }
            if (current instanceof HandlerFailure) {
                return current.getCause();
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return error;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void scanLoop() {
        while (accepting.get()) {
            try {
                scanSignal.tryAcquire(settings.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
                scanSignal.drainPermits();
                Set<Integer> owned = ownedShards.get();
                if (owned.isEmpty() || queued.get() >= settings.maxQueued()) {
                    continue;
                }
                int room = Math.min(settings.scanBatch(), settings.maxQueued() - queued.get());
                for (InboundUpdate update : journal.pending(owned, room)) {
                    enqueue(update);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("scanning the journal failed; retrying", e);
            }
        }
    }

    /** Stops taking updates and waits up to {@code timeout} for handlers in flight to finish. */
    public boolean drainAndStop(Duration timeout) {
        accepting.set(false);
        if (scanner != null) {
            scanner.interrupt();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((running.get() > 0 || liveLanes.get() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running.get() == 0 && liveLanes.get() == 0;
    }

    @Override
    public void close() {
        drainAndStop(Duration.ofSeconds(5));
    }

    private static String key(InboundUpdate update) {
        return update.botId() + ":" + update.updateId();
    }

    /** The handler's view of one update's transaction. */
    private final class Context implements UpdateContext {
        private final Update update;
        private final QueuedCalls calls;
        private final Handle handle;
        private final Translations translations;

        Context(Update update, QueuedCalls calls, Handle handle, Translations translations) {
            this.update = update;
            this.calls = calls;
            this.handle = handle;
            this.translations = translations;
        }

        @Override
        public Update update() {
            return update;
        }

        @Override
        public long botId() {
            return update.botId();
        }

        @Override
        public Outgoing send() {
            return calls;
        }

        @Override
        public <T> T dao(Class<T> daoType) {
            return handle.attach(daoType);
        }

        @Override
        public InstantSource clock() {
            return clock;
        }

        @Override
        public Optional<TelegramUser> user() {
            return users.sender(update);
        }

        @Override
        public String text(String key, Object... arguments) {
            String language = user().map(TelegramUser::languageCode).orElse(null);
            return translations.text(language, key, arguments);
        }

        @Override
        public String text(String languageCode, String key, Object... arguments) {
            return translations.text(languageCode, key, arguments);
        }

        @Override
        public Optional<TelegramUser> user(long userId) {
            return users.find(userId);
        }
    }
}

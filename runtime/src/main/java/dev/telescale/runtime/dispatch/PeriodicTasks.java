package dev.telescale.runtime.dispatch;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.Outgoing;
import dev.telescale.runtime.app.PeriodicTask;
import dev.telescale.runtime.app.TaskContext;
import dev.telescale.runtime.outbound.OutboundMessage;
import dev.telescale.runtime.state.Leases;
import dev.telescale.runtime.storage.Database;
import dev.telescale.runtime.storage.Outbox;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the applications' {@link PeriodicTask}s: one virtual thread per task, on every instance,
 * but a run happens only on the instance that holds the task's lease ({@code task:<app>:<name>},
 * three intervals long, at least 10 s, renewed by every run), so one instance does the work and
 * another takes over within the lease time when it dies. A run is one database transaction with
 * the calls it queues; when it throws, everything is rolled back and the next run tries again.
 * On SQLite the transaction takes the single writer lock, which the dispatcher's handlers also
 * take, so a run and a handler never interleave their writes.
 */
public final class PeriodicTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeriodicTasks.class);

    private final Database database;
    private final Outbox outbox;
    private final Leases leases;
    private final String owner;
    private final Set<Long> hostedBotIds;
    private final InstantSource clock;
    private final Runnable afterCommit;
    private final Consumer<String> onFailure;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<BotApplication, Set<Long>> botsByApplication = new LinkedHashMap<>();
    private volatile boolean running = true;

    /** Work done in one transaction with a {@link TaskContext}, returning a value. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(TaskContext context) throws Exception;
    }

    public PeriodicTasks(Database database, Outbox outbox, Leases leases, String owner,
                         Collection<HostedBot> bots, InstantSource clock, Runnable afterCommit, Consumer<String> onFailure) {
        this.database = database;
        this.outbox = outbox;
        this.leases = leases;
        this.owner = owner;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.onFailure = onFailure;
        Set<Long> ids = new LinkedHashSet<>();
        bots.forEach(bot -> ids.add(bot.botId()));
        this.hostedBotIds = Set.copyOf(ids);
        Map<BotApplication, Set<Long>> applications = new LinkedHashMap<>();
        for (HostedBot bot : bots) {
            applications.computeIfAbsent(bot.application(), app -> new LinkedHashSet<>()).add(bot.botId());
        }
        applications.forEach((application, botIds) -> botsByApplication.put(application, Set.copyOf(botIds)));
        applications.forEach((application, botIds) -> {
            List<PeriodicTask> all = new ArrayList<>(application.periodicTasks());
            BroadcastTask.of(application).ifPresent(all::add);
            for (PeriodicTask task : all) {
                threads.add(Thread.ofVirtual().name("task-" + application.name() + "-" + task.name()).unstarted(
                        () -> loop(application, Set.copyOf(botIds), task)));
            }
        });
    }

    public void start() {
        threads.forEach(Thread::start);
    }

    private void loop(BotApplication application, Set<Long> botIds, PeriodicTask task) {
        String lease = "task:" + application.name() + ":" + task.name();
        Duration ttl = task.interval().multipliedBy(3).compareTo(Duration.ofSeconds(10)) < 0
                ? Duration.ofSeconds(10) : task.interval().multipliedBy(3);
        while (running) {
            try {
                Thread.sleep(task.interval());
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            try {
                if (!leases.tryAcquire(lease, owner, ttl)) {
                    continue;
                }
                runOnce(application, botIds, task);
            } catch (RuntimeException e) {
                log.warn("periodic task {} of {} failed; the next run tries again", task.name(), application.name(), e);
                onFailure.accept(application.name() + "/" + task.name());
            }
        }
    }

    /** The bots of this deployment that run {@code application} (empty when none). */
    public Set<Long> botIdsOf(BotApplication application) {
        return botsByApplication.getOrDefault(application, Set.of());
    }

    /** One run in one transaction (also for tests that drive tasks by hand). */
    public void runOnce(BotApplication application, Set<Long> botIds, PeriodicTask task) {
        inTransaction(application, botIds, context -> {
            task.body().run(context);
            return null;
        });
    }

    /**
     * Runs one-off work of an application (an admin action from the dashboard, say) exactly as a
     * task run: one transaction with the calls it queues, rolled back when it throws. A runtime
     * exception is rethrown as it is; a checked one wrapped in an {@link IllegalStateException}.
     */
    public <T> T inTransaction(BotApplication application, TransactionWork<T> work) {
        Set<Long> botIds = botsByApplication.get(application);
        if (botIds == null) {
            throw new IllegalArgumentException("application " + application.name() + " runs no bot here");
        }
        return inTransaction(application, botIds, work);
    }

    /**
     * Runs read-only work of an application (the dashboard's figures and lists) on a connection
     * without a transaction: on SQLite it never takes the single writer lock, so a slow count (a
     * scan of a million users) does not hold back the handlers. Work that queues calls is refused
     * (nothing it queued is sent).
     */
    public <T> T readOnly(BotApplication application, TransactionWork<T> work) {
        Set<Long> botIds = botsByApplication.get(application);
        if (botIds == null) {
            throw new IllegalArgumentException("application " + application.name() + " runs no bot here");
        }
        return database.withHandle(handle -> {
            RunContext context = new RunContext(handle, botIds, application);
            T value = run(work, context);
            if (!context.messages.isEmpty()) {
                throw new IllegalStateException("read-only work of " + application.name() + " queued "
                        + context.messages.size() + " calls; they were not sent");
            }
            return value;
        });
    }

    /** Runs the work; a checked exception comes back wrapped in an {@link IllegalStateException}. */
    private static <T> T run(TransactionWork<T> work, RunContext context) {
        try {
            return work.run(context);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T inTransaction(BotApplication application, Set<Long> botIds, TransactionWork<T> work) {
        record Outcome<T>(T value, boolean queued) {
        }
        Outcome<T> outcome = database.inTransaction(handle -> {
            RunContext context = new RunContext(handle, botIds, application);
            T value = run(work, context);
            List<OutboundMessage> messages = context.messages;
            if (!messages.isEmpty()) {
                outbox.enqueue(handle, messages);
            }
            return new Outcome<>(value, !messages.isEmpty());
        });
        if (outcome.queued()) {
            afterCommit.run();
        }
        return outcome.value();
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
    }

    private final class RunContext implements TaskContext {
        private final Handle handle;
        private final Set<Long> botIds;
        private final BotApplication application;
        private final List<OutboundMessage> messages = new ArrayList<>();

        RunContext(Handle handle, Set<Long> botIds, BotApplication application) {
            this.handle = handle;
            this.botIds = botIds;
            this.application = application;
        }

        @Override
        public <T> T dao(Class<T> daoType) {
            return handle.attach(daoType);
        }

        @Override
        public Outgoing send(long originBotId, long originChatId) {
            return new QueuedCalls(originBotId, DeliveryFailures.taskOrigin(originBotId, originChatId),
                    hostedBotIds, clock.millis(), messages);
        }

        @Override
        public InstantSource clock() {
            return clock;
        }

        @Override
        public String text(String languageCode, String key, Object... arguments) {
            return application.translations().text(languageCode, key, arguments);
        }

        @Override
        public Set<Long> botIds() {
            return botIds;
        }
    }
}

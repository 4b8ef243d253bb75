package dev.telescale.runtime.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.dispatch.HostedBot;
import dev.telescale.runtime.state.Leases;
import dev.telescale.runtime.telegram.ApiResult;
import dev.telescale.runtime.telegram.BotApiClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling for one bot, with exactly one poller per token across all instances: the poller
 * holds the lease {@code poller:<bot id>} and renews it while it polls; an instance that cannot
 * get the lease waits and tries again, so when the holder dies its lease expires and another
 * instance takes over (the two never fight with 409s).
 *
 * <p>No loss: the offset moves past an update only after the update is journaled (the next
 * getUpdates call confirms it to Telegram). A crash in between makes Telegram deliver it again,
 * and the journal's deduplication drops the copy. Errors back off exponentially with jitter.
 *
 * <p>Backpressure, as the webhook's 429: while the journal holds {@code maxPending} or more
 * accepted but unhandled updates, the poller does not ask for more (it looks again every {@value
 * #HOLD_PAUSE_MILLIS} ms), so the backlog waits at Telegram, which keeps updates for 24 hours.
 * Without it a poller took in everything Telegram had, beyond what the dispatcher keeps in memory,
 * and the updates that spilled to the journal only were overtaken by newer ones for as long as
 * the load lasted (p99 of 192 s in the PostgreSQL + Redis memory benchmark). The count may be up to
 * 250 ms old (see {@link RecentCount}); a getUpdates already waiting is not cut short.
 */
public final class LongPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LongPoller.class);
    static final long HOLD_PAUSE_MILLIS = 200;

    /** Tuning: lease TTL, long-poll timeout, back-off bounds. */
    public record Settings(Duration leaseTtl, int pollTimeoutSeconds, Duration minBackoff, Duration maxBackoff,
                           List<String> allowedUpdates) {
        public static Settings defaults(List<String> allowedUpdates) {
            return new Settings(Duration.ofSeconds(15), 25, Duration.ofMillis(250), Duration.ofSeconds(30),
                    allowedUpdates);
        }
    }

    /** What the poller reports (for metrics and admin alerts). */
    public interface Listener {
        void polled(long botId, int updates);

        void pollFailed(long botId, String reason);

        void leaseChanged(long botId, boolean held);
    }

    private final HostedBot bot;
    private final BotApiClient client;
    private final Leases leases;
    private final UpdateIntake intake;
    private final IntSupplier pendingUpdates;
    private final int maxPending;
    private final String owner;
    private final InstantSource clock;
    private final Settings settings;
    private final Listener listener;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean holding;
    private Thread thread;

    /**
     * @param pendingUpdates the journal's accepted but unhandled updates (a {@link RecentCount})
     * @param maxPending     at or above this many, the poller waits instead of polling
     */
    public LongPoller(HostedBot bot, BotApiClient client, Leases leases, UpdateIntake intake,
                      IntSupplier pendingUpdates, int maxPending, String owner, InstantSource clock, Settings settings,
                      Listener listener) {
        this.bot = bot;
        this.client = client;
        this.leases = leases;
        this.intake = intake;
        this.pendingUpdates = pendingUpdates;
        this.maxPending = maxPending;
        this.owner = owner;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
    }

    private String leaseName() {
        return "poller:" + bot.botId();
    }

    public void start() {
        thread = Thread.ofVirtual().name("poller-" + bot.botId()).start(this::run);
    }

    public boolean isHolding() {
        return holding;
    }

    private void run() {
        long offset = 0;
        Duration backoff = settings.minBackoff();
        while (running.get()) {
            try {
                if (!holding) {
                    if (leases.tryAcquire(leaseName(), owner, settings.leaseTtl())) {
                        holding = true;
                        offset = 0;
                        listener.leaseChanged(bot.botId(), true);
                        log.info("polling for bot {} on this instance", bot.token().redacted());
                        Thread.ofVirtual().name("poller-lease-" + bot.botId()).start(this::renewWhileHolding);
                    } else {
                        sleep(settings.leaseTtl().dividedBy(3));
                        continue;
                    }
                }
                if (pendingUpdates.getAsInt() >= maxPending) {
                    sleep(Duration.ofMillis(HOLD_PAUSE_MILLIS));
                    continue;
                }
                ObjectNode params = JsonNodeFactory.instance.objectNode();
                params.put("offset", offset);
                params.put("timeout", settings.pollTimeoutSeconds());
                ArrayNode allowed = params.putArray("allowed_updates");
                settings.allowedUpdates().forEach(allowed::add);
                ApiResult result = client.call(bot.token(), "getUpdates", params,
                        Duration.ofSeconds(settings.pollTimeoutSeconds() + 10));
                switch (result) {
                    case ApiResult.Ok ok -> {
                        offset = journal(ok.result(), offset);
                        backoff = settings.minBackoff();
                    }
                    case ApiResult.RetryAfter retry -> sleep(Duration.ofSeconds(Math.max(1, retry.seconds())));
                    default -> {
                        if (!running.get()) {
                            break;
                        }
                        listener.pollFailed(bot.botId(), String.valueOf(result));
                        sleep(jittered(backoff));
                        backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
                                ? settings.maxBackoff() : backoff.multipliedBy(2);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.warn("polling bot {} failed", bot.token().redacted(), e);
                listener.pollFailed(bot.botId(), e.getClass().getSimpleName());
                try {
                    sleep(jittered(backoff));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
                        ? settings.maxBackoff() : backoff.multipliedBy(2);
            }
        }
        if (holding) {
            leases.release(leaseName(), owner);
            holding = false;
        }
    }

    /**
     * Renews the lease every third of its TTL on its own thread, so a long poll that outlasts the
     * TTL never lets the lease lapse while this instance is alive and polling.
     */
    private void renewWhileHolding() {
        while (running.get() && holding) {
            try {
                Thread.sleep(Math.max(10, settings.leaseTtl().toMillis() / 3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean renewed;
            try {
                renewed = !running.get() || !holding || leases.renew(leaseName(), owner, settings.leaseTtl());
            } catch (RuntimeException e) {
                // Unknown outcome: stop polling rather than risk two pollers once the lease lapses.
                log.warn("renewing the polling lease of bot {} failed", bot.token().redacted(), e);
                renewed = false;
            }
            if (!renewed) {
                holding = false;
                listener.leaseChanged(bot.botId(), false);
                log.warn("lost the polling lease of bot {}; another instance polls now", bot.token().redacted());
            }
        }
    }

    /** Journals a getUpdates result; returns the offset that confirms exactly what was journaled. */
    private long journal(JsonNode updates, long offset) throws InterruptedException {
        if (!updates.isArray() || updates.isEmpty()) {
            return offset;
        }
        long received = clock.millis();
        List<InboundUpdate> parsed = new ArrayList<>(updates.size());
        long next = offset;
        for (JsonNode update : updates) {
            long id = update.path("update_id").asLong(-1);
            if (id < 0) {
                continue;
            }
            parsed.add(UpdateParser.parse(bot.botId(), update, update.toString(), received));
            next = Math.max(next, id + 1);
        }
        while (true) {
            var accepted = intake.offer(parsed);
            if (accepted == null) {
                sleep(Duration.ofMillis(200));
                continue;
            }
            try {
                accepted.get(60, TimeUnit.SECONDS);
                listener.polled(bot.botId(), parsed.size());
                return next;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("could not journal {} polled updates of bot {}; polling them again", parsed.size(),
                        bot.token().redacted());
                return offset;
            }
        }
    }

    private static Duration jittered(Duration base) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(base.toMillis() / 2, base.toMillis() + 1));
    }

    private void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(Math.max(1, duration.toMillis()));
    }

    /** Stops polling, waits for the current call, and releases the lease. */
    @Override
    public void close() {
        running.set(false);
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

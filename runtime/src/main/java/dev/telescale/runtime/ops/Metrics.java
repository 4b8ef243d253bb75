package dev.telescale.runtime.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The runtime's Prometheus metrics: JVM and process metrics plus the named meters the components
 * record into. Meter methods are cheap to call on every update: each meter is created on first
 * use and cached by its name and tags. Names follow Prometheus conventions once exported
 * (Micrometer turns {@code telescale.updates.in} into {@code telescale_updates_in_total}, a timer
 * into {@code _seconds_bucket/_count/_sum/_max}).
 *
 * <p>Latency timers publish histogram buckets, not client-side quantiles, so percentiles can be
 * aggregated across instances: {@code histogram_quantile(0.99, sum by (le, app)
 * (rate(telescale_handle_latency_seconds_bucket[5m])))} gives p99 (likewise 0.5 and 0.95).
 *
 * <p>Tags carry bot ids (the number before the token's colon), never tokens. Thread-safe.
 */
public final class Metrics implements AutoCloseable {
    /** The Prometheus text format 0.0.4 (the exposition library is only a runtime dependency). */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders;
    private final Map<MeterKey, Object> meters = new ConcurrentHashMap<>();
    private final Map<MeterKey, AtomicReference<Supplier<Number>>> gauges = new ConcurrentHashMap<>();

    private record MeterKey(String name, String first, String second) {
    }

    public Metrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmGcMetrics gc = new JvmGcMetrics();
        JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
        this.binders = List.of(gc, heapPressure);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        gc.bindTo(registry);
        heapPressure.bindTo(registry);
    }

    /** For components that bind their own meters (HikariCP, Caffeine, executors). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Updates received, by bot id and source ({@code webhook} or {@code polling}). */
    public Counter updatesIn(String botId, String source) {
        return counter("telescale.updates.in", "Updates received", "bot", botId, "source", source);
    }

    /** Bot API calls the sender finished, by bot id and outcome ({@code sent}, {@code failed}, {@code blocked}...). */
    public Counter updatesOut(String botId, String outcome) {
        return counter("telescale.updates.out", "Outbound Bot API calls finished", "bot", botId, "outcome", outcome);
    }

    /** How long an application's handler took for one update. */
    public Timer handleLatency(String app) {
        return timer("telescale.handle.latency", "Handler time per update", "app", app, Duration.ofSeconds(30));
    }

    /**
     * From a handler making a call to Telegram accepting it (the sender's queueing and rate-limit
     * waits included), for calls accepted at their first attempt; calls that needed a retry are
     * counted by {@link #retries} instead, since their creation time is not carried in memory.
     */
    public Timer deliveryLatency(String botId) {
        return timer("telescale.delivery.latency", "Time from producing a message to its delivery", "bot", botId,
                Duration.ofMinutes(5));
    }

    /** 429 Too Many Requests answers from the Bot API. */
    public Counter telegram429(String botId) {
        return counter("telescale.telegram.429", "429 answers from the Bot API", "bot", botId, null, null);
    }

    /** Retried Bot API calls, by kind ({@code 429}, {@code 5xx}, {@code network}, {@code timeout}...). */
    public Counter retries(String botId, String kind) {
        return counter("telescale.retries", "Retried Bot API calls", "bot", botId, "kind", kind);
    }

    /** Handler exceptions, contained and counted. */
    public Counter handlerErrors(String app) {
        return counter("telescale.handler.errors", "Exceptions thrown by handlers", "app", app, null, null);
    }

    /** User cache lookups by tier ({@code l1}, {@code l2}, {@code db}) and result ({@code hit}, {@code miss}). */
    public Counter cacheRequests(String tier, String result) {
        return counter("telescale.cache.requests", "User cache lookups", "tier", tier, "result", result);
    }

    /**
     * Registers a gauge such as {@code telescale.queue.depth} or {@code telescale.db.pool.active}.
     * Registering the same name and tags again replaces the supplier (e.g. after a reconnect).
     * The supplier is read at each scrape and must be fast and non-blocking; if it throws the
     * gauge reads NaN.
     */
    public void gauge(String name, Tags tags, Supplier<Number> value) {
        MeterKey key = new MeterKey(name, tags.toString(), null);
        AtomicReference<Supplier<Number>> created = new AtomicReference<>(value);
        AtomicReference<Supplier<Number>> existing = gauges.putIfAbsent(key, created);
        if (existing != null) {
            existing.set(value);
            return;
        }
        Gauge.builder(name, created, reference -> reference.get().get().doubleValue())
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    /** A monotonically growing count read from elsewhere (e.g. a component's own statistics). */
    public void functionCounter(String name, Tags tags, Supplier<Number> value) {
        FunctionCounter.builder(name, value, supplier -> supplier.get().doubleValue())
                .tags(tags)
                .register(registry);
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** The HTTP Content-Type of {@link #scrape()}. */
    public static String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // closing a binder only stops its listeners; nothing to recover
            }
        }
        registry.close();
    }

    private Counter counter(String name, String description, String tag1, String value1, String tag2, String value2) {
        return (Counter) meters.computeIfAbsent(new MeterKey(name, value1, value2), key -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag(tag1, orNone(value1));
            if (tag2 != null) {
                builder.tag(tag2, orNone(value2));
            }
            return builder.register(registry);
        });
    }

    private static String orNone(String tagValue) {
        return tagValue == null ? "none" : tagValue;
    }

    private Timer timer(String name, String description, String tag, String value, Duration max) {
        return (Timer) meters.computeIfAbsent(new MeterKey(name, value, null), key -> Timer.builder(name)
                .description(description)
                .tag(tag, orNone(value))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(max)
                .register(registry));
    }
}

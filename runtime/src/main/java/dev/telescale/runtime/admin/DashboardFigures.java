package dev.telescale.runtime.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's numbers, read from the same meters {@code /metrics} exports, so the page and a
 * Prometheus/Grafana setup never disagree. Rates and the p99 are differences between two readings
 * of the cumulative counters and latency histograms: the live figures compare now with the newest
 * sample at least {@link #RATE_WINDOW} old, the chart points compare consecutive samples. Samples
 * are taken every {@link #SAMPLE_INTERVAL} and kept for an hour, in this instance's memory (each
 * instance shows its own traffic; Grafana sums instances). Thread-safe.
 */
public final class DashboardFigures {
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(10);
    static final Duration RATE_WINDOW = Duration.ofSeconds(5);
    static final int HISTORY_POINTS = (int) (Duration.ofHours(1).toSeconds() / SAMPLE_INTERVAL.toSeconds());

    private final MeterRegistry registry;
    private final InstantSource clock;
    private final Deque<Reading> readings = new ArrayDeque<>();
    private final Deque<ObjectNode> history = new ArrayDeque<>();

    /** Cumulative totals at one moment. */
    record Reading(long atMillis, double updatesIn, double messagesOut, double failed, double telegram429,
                   long deliveries, TreeMap<Double, Long> deliveryBuckets, long handled,
                   TreeMap<Double, Long> handleBuckets) {
    }

    public DashboardFigures(MeterRegistry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Takes a chart sample; the application's figures (waiting, chats...) are stored with it. */
    public synchronized void sample(Map<String, Number> applicationFigures) {
        Reading now = read();
        Reading previous = readings.peekLast();
        readings.addLast(now);
        while (readings.size() > HISTORY_POINTS + 1) {
            readings.removeFirst();
        }
        if (previous == null) {
            return;
        }
        ObjectNode point = JsonNodeFactory.instance.objectNode();
        point.put("t", now.atMillis());
        rates(point, previous, now);
        ObjectNode app = point.putObject("app");
        applicationFigures.forEach((name, value) -> app.put(name, value.doubleValue()));
        history.addLast(point);
        while (history.size() > HISTORY_POINTS) {
            history.removeFirst();
        }
    }

    /** The live figures: totals, rates over the last few seconds, queue depths and cache hit rates. */
    public ObjectNode live() {
        Reading now = read();
        Reading reference;
        synchronized (this) {
            reference = null;
            for (var it = readings.descendingIterator(); it.hasNext(); ) {
                Reading candidate = it.next();
                reference = candidate;
                if (now.atMillis() - candidate.atMillis() >= RATE_WINDOW.toMillis()) {
                    break;
                }
            }
        }
        ObjectNode live = JsonNodeFactory.instance.objectNode();
        live.put("at", now.atMillis());
        live.put("updates_in_total", now.updatesIn());
        live.put("messages_out_total", now.messagesOut());
        live.put("failed_total", now.failed());
        live.put("telegram_429_total", now.telegram429());
        if (reference != null && now.atMillis() > reference.atMillis()) {
            rates(live, reference, now);
        } else {
            live.putNull("updates_in_per_s").putNull("messages_out_per_s").putNull("p99_delivery_ms")
                    .putNull("p99_handle_ms");
        }
        ObjectNode queues = live.putObject("queues");
        queues.put("updates_pending", gauge("telescale_updates_pending", null, null));
        queues.put("dispatch_queued", gauge("telescale_dispatch_queued", null, null));
        queues.put("outbox_conversation", gauge("telescale_outbox_pending", "lane", "conversation"));
        queues.put("outbox_broadcast", gauge("telescale_outbox_pending", "lane", "broadcast"));
        ObjectNode cache = live.putObject("cache_hit_rate");
        Map<String, double[]> tiers = new TreeMap<>();
        for (Counter counter : registry.find("telescale.cache.requests").counters()) {
            double[] hitsAndAll = tiers.computeIfAbsent(counter.getId().getTag("tier"), tier -> new double[2]);
            if ("hit".equals(counter.getId().getTag("result"))) {
                hitsAndAll[0] += counter.count();
            }
            hitsAndAll[1] += counter.count();
        }
        tiers.forEach((tier, hitsAndAll) -> {
            if (hitsAndAll[1] > 0) {
                cache.put(tier, hitsAndAll[0] / hitsAndAll[1]);
            } else {
                cache.putNull(tier);
            }
        });
        return live;
    }

    /** The chart points of the last hour, oldest first. */
    public synchronized ArrayNode history() {
        ArrayNode points = JsonNodeFactory.instance.arrayNode();
        history.forEach(point -> points.add(point.deepCopy()));
        return points;
    }

    private static void rates(ObjectNode into, Reading from, Reading to) {
        double seconds = (to.atMillis() - from.atMillis()) / 1000.0;
        into.put("updates_in_per_s", round((to.updatesIn() - from.updatesIn()) / seconds));
        into.put("messages_out_per_s", round((to.messagesOut() - from.messagesOut()) / seconds));
        putQuantile(into, "p99_delivery_ms", from.deliveryBuckets(), to.deliveryBuckets(), to.deliveries() - from.deliveries());
        putQuantile(into, "p99_handle_ms", from.handleBuckets(), to.handleBuckets(), to.handled() - from.handled());
    }

    /** The upper bound of the histogram bucket holding the 99th percentile of what happened between two readings. */
    private static void putQuantile(ObjectNode into, String field, TreeMap<Double, Long> from, TreeMap<Double, Long> to,
                                    long count) {
        if (count <= 0) {
            into.putNull(field);
            return;
        }
        double needed = Math.ceil(count * 0.99);
        for (Map.Entry<Double, Long> bucket : to.entrySet()) {
            long below = bucket.getValue() - from.getOrDefault(bucket.getKey(), 0L);
            if (below >= needed) {
                into.put(field, round(bucket.getKey()));
                return;
            }
        }
        into.put(field, round(to.isEmpty() ? 0 : to.lastKey()));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private Reading read() {
        double updatesIn = 0;
        for (Counter counter : registry.find("telescale.updates.in").counters()) {
            String source = counter.getId().getTag("source");
            if ("webhook".equals(source) || "polling".equals(source)) {
                updatesIn += counter.count();
            }
        }
        double sent = 0;
        double failed = 0;
        for (Counter counter : registry.find("telescale.updates.out").counters()) {
            if ("sent".equals(counter.getId().getTag("outcome"))) {
                sent += counter.count();
            } else {
                failed += counter.count();
            }
        }
        double throttled = registry.find("telescale.telegram.429").counters().stream().mapToDouble(Counter::count).sum();
        TreeMap<Double, Long> delivery = new TreeMap<>();
        long deliveries = merge(registry.find("telescale.delivery.latency").timers().toArray(Timer[]::new), delivery);
        TreeMap<Double, Long> handle = new TreeMap<>();
        long handled = merge(registry.find("telescale.handle.latency").timers().toArray(Timer[]::new), handle);
        return new Reading(clock.millis(), updatesIn, sent, failed, throttled, deliveries, delivery, handled, handle);
    }

    /** Adds the timers' cumulative bucket counts (by upper bound in ms) into {@code buckets}; returns their total count. */
    private static long merge(Timer[] timers, TreeMap<Double, Long> buckets) {
        long count = 0;
        for (Timer timer : timers) {
            var snapshot = timer.takeSnapshot();
            count += snapshot.count();
            for (CountAtBucket bucket : snapshot.histogramCounts()) {
                buckets.merge(bucket.bucket(TimeUnit.MILLISECONDS), (long) bucket.count(), Long::sum);
            }
        }
        return count;
    }

    private double gauge(String name, String tag, String value) {
        var search = registry.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        double total = 0;
        for (Gauge gauge : search.gauges()) {
            double reading = gauge.value();
            if (!Double.isNaN(reading)) {
                total += reading;
            }
        }
        return total;
    }
}

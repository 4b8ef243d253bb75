package dev.telescale.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Meter names and labels as Prometheus sees them, caching, histograms, gauges. */
class MetricsTest {
    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void scrape_afterCounting_showsConventionalNamesAndLabels() {
        metrics.updatesIn("123456", "webhook").increment();
        metrics.updatesIn("123456", "webhook").increment();
        metrics.updatesOut("123456", "sent").increment();
        metrics.telegram429("123456").increment();
        metrics.retries("123456", "5xx").increment(3);
        metrics.handlerErrors("anonchat").increment();
        metrics.cacheRequests("l1", "hit").increment();

        String scrape = metrics.scrape();

        assertThat(scrape).contains(
                "telescale_updates_in_total{bot=\"123456\",source=\"webhook\"} 2.0",
                "telescale_updates_out_total{bot=\"123456\",outcome=\"sent\"} 1.0",
                "telescale_telegram_429_total{bot=\"123456\"} 1.0",
                "telescale_retries_total{bot=\"123456\",kind=\"5xx\"} 3.0",
                "telescale_handler_errors_total{app=\"anonchat\"} 1.0",
                "telescale_cache_requests_total{result=\"hit\",tier=\"l1\"} 1.0");
    }

    @Test
    void meters_askedForTwice_areTheSameObject() {
        assertThat(metrics.updatesIn("1", "polling")).isSameAs(metrics.updatesIn("1", "polling"));
        assertThat(metrics.handleLatency("anonchat")).isSameAs(metrics.handleLatency("anonchat"));
        assertThat(metrics.updatesIn("1", "polling")).isNotSameAs(metrics.updatesIn("2", "polling"));
    }

    @Test
    void scrape_ofTimers_publishesHistogramBuckets() {
        metrics.handleLatency("anonchat").record(Duration.ofMillis(12));
        metrics.deliveryLatency("123456").record(Duration.ofMillis(850));

        String scrape = metrics.scrape();

        assertThat(scrape)
                .contains("# TYPE telescale_handle_latency_seconds histogram")
                .containsPattern("telescale_handle_latency_seconds_bucket\\{app=\"anonchat\",le=\"0\\.0[0-9]+\"} 1")
                .contains("telescale_handle_latency_seconds_count{app=\"anonchat\"} 1")
                .contains("telescale_delivery_latency_seconds_bucket{bot=\"123456\",le=\"+Inf\"} 1");
    }

    @Test
    void gauge_registeredAgain_readsTheNewSupplier() {
        AtomicInteger depth = new AtomicInteger(7);
        metrics.gauge("telescale.queue.depth", Tags.of("queue", "outbound"), depth::get);
        assertThat(metrics.scrape()).contains("telescale_queue_depth{queue=\"outbound\"} 7.0");

        metrics.gauge("telescale.queue.depth", Tags.of("queue", "outbound"), () -> 3);
        metrics.gauge("telescale.queue.depth", Tags.of("queue", "inbound"), () -> 1);

        assertThat(metrics.scrape()).contains("telescale_queue_depth{queue=\"outbound\"} 3.0",
                "telescale_queue_depth{queue=\"inbound\"} 1.0");
    }

    @Test
    void scrape_withoutAnyUse_showsJvmAndProcessMetrics() {
        assertThat(metrics.scrape()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads",
                "process_cpu_usage", "process_uptime_seconds", "jvm_gc_");
    }
}

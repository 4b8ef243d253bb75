package dev.telescale.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** De-duplication and rate limiting of admin alerts, on a clock the test moves. */
class AlertsTest {
    /** A clock the test moves by hand. */
    static final class FakeClock implements InstantSource {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private final FakeClock clock = new FakeClock();
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @Test
    void send_theSameAlertWithinTheWindow_sendsItOnce() {
        Alerts alerts = new Alerts(sent::add, clock);

        assertThat(alerts.send("Redis unreachable")).isEqualTo(Alerts.Outcome.SENT);
        clock.advance(Duration.ofMinutes(4));
        assertThat(alerts.send("Redis unreachable")).isEqualTo(Alerts.Outcome.DUPLICATE);
        assertThat(alerts.send("Redis unreachable")).isEqualTo(Alerts.Outcome.DUPLICATE);

        assertThat(sent).containsExactly("Redis unreachable");
        assertThat(alerts.suppressed()).isEqualTo(2);
    }

    @Test
    void send_theSameAlertAfterTheWindow_sendsItAgainWithTheSuppressedCount() {
        Alerts alerts = new Alerts(sent::add, clock);
        alerts.send("Redis unreachable");
        clock.advance(Duration.ofMinutes(1));
        alerts.send("Redis unreachable");
        alerts.send("Redis unreachable");

        clock.advance(Duration.ofMinutes(4));
        assertThat(alerts.send("Redis unreachable")).isEqualTo(Alerts.Outcome.SENT);

        assertThat(sent).containsExactly("Redis unreachable",
                "Redis unreachable\n(2 more alerts suppressed since the previous one)");
    }

    @Test
    void send_differentAlerts_areNotDuplicates() {
        Alerts alerts = new Alerts(sent::add, clock);

        alerts.send("instance eu-1 started");
        alerts.send("instance eu-2 started");

        assertThat(sent).containsExactly("instance eu-1 started", "instance eu-2 started");
    }

    @Test
    void send_moreThanTheRateLimit_suppressesTheRestOfTheMinute() {
        Alerts alerts = new Alerts(sent::add, clock, Duration.ofMinutes(5), 3);

        List<Alerts.Outcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            outcomes.add(alerts.send("polling failed for bot " + i));
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(outcomes).containsExactly(Alerts.Outcome.SENT, Alerts.Outcome.SENT, Alerts.Outcome.SENT,
                Alerts.Outcome.RATE_LIMITED, Alerts.Outcome.RATE_LIMITED);

        clock.advance(Duration.ofSeconds(10));
        assertThat(alerts.send("polling failed for bot 6")).isEqualTo(Alerts.Outcome.SENT);
        assertThat(sent).containsExactly("polling failed for bot 1", "polling failed for bot 2", "polling failed for bot 3",
                "polling failed for bot 6\n(2 more alerts suppressed since the previous one)");
        assertThat(alerts.suppressed()).isEqualTo(2);
    }

    @Test
    void send_withAFailingSink_reportsFailureWithoutThrowing() {
        Alerts alerts = new Alerts(text -> {
            throw new IllegalStateException("Telegram unreachable");
        }, clock);

        assertThat(alerts.send("database unreachable")).isEqualTo(Alerts.Outcome.FAILED);
    }

    @Test
    void send_aVeryLongAlert_isShortenedForTelegram() {
        Alerts alerts = new Alerts(sent::add, clock);

        alerts.send("x".repeat(10_000));

        assertThat(sent).singleElement().satisfies(text -> assertThat(text).hasSize(Alerts.MAX_TEXT).endsWith("..."));
    }

    @Test
    void send_fromManyThreads_sendsEachDistinctAlertOnceAndObeysTheLimit() throws Exception {
        Alerts alerts = new Alerts(sent::add, clock, Duration.ofMinutes(5), 10);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String text = "alert " + (i % 5);
                threads.submit(() -> {
                    go.await();
                    return alerts.send(text);
                });
            }
            go.countDown();
        }

        assertThat(sent).hasSize(5).doesNotHaveDuplicates();
        assertThat(alerts.suppressed()).isEqualTo(195);
    }
}

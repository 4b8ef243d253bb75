package dev.telescale.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readiness checks: parallel, each with its timeout, a total timeout, failures with one-line details. */
class HealthTest {
    private static Health.Check ok(String detail) {
        return new Health.Check("ignored", true, detail);
    }

    /** A check that sleeps (interruptibly) before answering ok. */
    private static Health.Check sleepThenOk(long millis, CountDownLatch interrupted) {
        try {
            Thread.sleep(millis);
            return ok("late");
        } catch (InterruptedException e) {
            interrupted.countDown();
            Thread.currentThread().interrupt();
            return new Health.Check("ignored", false, "interrupted");
        }
    }

    @Test
    void ready_withPassingChecks_isReady() {
        Health health = new Health();
        health.register("database", Duration.ofSeconds(1), () -> ok("3 ms"));
        health.register("redis", Duration.ofSeconds(1), () -> ok(""));

        Health.Report report = health.ready();

        assertThat(report.ready()).isTrue();
        assertThat(report.checks()).containsExactly(
                new Health.Check("database", true, "3 ms"),
                new Health.Check("redis", true, "ok"));
        assertThat(health.live()).isTrue();
    }

    @Test
    void ready_withNoChecks_isReady() {
        assertThat(new Health().ready().ready()).isTrue();
    }

    @Test
    void ready_withFailingChecks_isNotReadyAndSaysWhy() {
        Health health = new Health();
        health.register("database", Duration.ofSeconds(1), () -> ok("sqlite"));
        health.register("redis", Duration.ofSeconds(1), () -> {
            throw new UncheckedIOException(new java.io.IOException("Connection refused: cache:6379\n\tat somewhere"));
        });
        health.register("telegram", Duration.ofSeconds(1), () -> new Health.Check("telegram", false, "getMe: 401 Unauthorized"));

        Health.Report report = health.ready();

        assertThat(report.ready()).isFalse();
        assertThat(report.checks()).containsExactly(
                new Health.Check("database", true, "sqlite"),
                new Health.Check("redis", false, "UncheckedIOException: java.io.IOException: Connection refused: cache:6379"),
                new Health.Check("telegram", false, "getMe: 401 Unauthorized"));
        assertThat(health.live()).isTrue();
    }

    @Test
    void ready_withASlowCheck_timesOutAndIsNotReady() {
        Health health = new Health();
        CountDownLatch interrupted = new CountDownLatch(1);
        health.register("telegram", Duration.ofMillis(200), () -> sleepThenOk(10_000, interrupted));
        health.register("database", Duration.ofSeconds(1), () -> ok("sqlite"));

        long start = System.nanoTime();
        Health.Report report = health.ready();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(report.ready()).isFalse();
        assertThat(report.checks()).containsExactly(
                new Health.Check("telegram", false, "no answer within 200 ms"),
                new Health.Check("database", true, "sqlite"));
        assertThat(tookMillis).isBetween(150L, 1_500L);
        await().atMost(Duration.ofSeconds(2)).until(() -> interrupted.getCount() == 0);
    }

    @Test
    void ready_withChecksSlowerThanTheTotal_answersWithinTheTotal() {
        Health health = new Health(Duration.ofMillis(400));
        CountDownLatch unused = new CountDownLatch(1);
        for (String name : new String[] {"a", "b", "c"}) {
            health.register(name, Duration.ofSeconds(5), () -> sleepThenOk(250, unused));
        }
        health.register("stuck", Duration.ofSeconds(5), () -> sleepThenOk(5_000, unused));

        long start = System.nanoTime();
        Health.Report report = health.ready();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(report.checks()).extracting(Health.Check::ok).containsExactly(true, true, true, false);
        assertThat(report.checks().get(3).detail()).isEqualTo("no answer within 400 ms");
        assertThat(tookMillis).as("checks ran in parallel").isLessThan(1_000L);
    }

    @Test
    void ready_withACheckThatIgnoresInterrupts_doesNotStartItAgainWhileItRuns() {
        Health health = new Health();
        AtomicInteger starts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        health.register("hung", Duration.ofMillis(50), () -> {
            starts.incrementAndGet();
            while (true) {
                try {
                    if (release.await(1, TimeUnit.SECONDS)) {
                        return ok("done");
                    }
                } catch (InterruptedException ignored) {
                    // a badly behaved check
                }
            }
        });

        for (int probe = 0; probe < 3; probe++) {
            assertThat(health.ready().checks()).containsExactly(new Health.Check("hung", false, "no answer within 50 ms"));
        }
        assertThat(starts.get()).isEqualTo(1);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> health.ready().ready());
        assertThat(starts.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void ready_afterDrain_isNotReady() {
        Health health = new Health();
        health.register("database", Duration.ofSeconds(1), () -> ok("sqlite"));

        health.drain("shutting down");

        Health.Report report = health.ready();
        assertThat(report.ready()).isFalse();
        assertThat(report.checks()).first().isEqualTo(new Health.Check("shutdown", false, "shutting down"));
        assertThat(health.live()).isTrue();
    }

    @Test
    void register_withADuplicateName_isRefused() {
        Health health = new Health();
        health.register("database", Duration.ofSeconds(1), () -> ok("sqlite"));

        assertThatThrownBy(() -> health.register("database", Duration.ofSeconds(1), () -> ok("sqlite")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

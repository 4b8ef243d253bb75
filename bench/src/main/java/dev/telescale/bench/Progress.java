package dev.telescale.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The live progress line: once a second on stderr, messages sent, answered, the answer rate over
 * the last second and the p99 so far (for search-churn: presses sent, matches, p99 time to match).
 * Runs on its own platform thread until closed: the bot's and the simulated users' virtual threads
 * share the carrier threads, and a saturated run must not silence the line that reports it.
 */
final class Progress implements AutoCloseable {
    private final Thread thread;

    Progress(String scenario, PrintWriter err, LongSupplier sent, LatencyRecorder recorder) {
        this(scenario, err, sent, recorder::answered, recorder::p99MillisSoFar);
    }

    Progress(String scenario, PrintWriter err, LongSupplier sent, LongSupplier answeredSoFar, DoubleSupplier p99Millis) {
        long startNanos = System.nanoTime();
        thread = Thread.ofPlatform().daemon().name("bench-progress").start(() -> {
            long lastAnswered = 0;
            long lastNanos = startNanos;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long now = System.nanoTime();
                long answered = answeredSoFar.getAsLong();
                double rate = (answered - lastAnswered) * 1e9 / Math.max(1, now - lastNanos);
                err.println(String.format(Locale.ROOT, "[%s %3ds] sent %d  answered %d  rate %.0f/s  p99 %.2f ms",
                        scenario, (now - startNanos) / 1_000_000_000L, sent.getAsLong(), answered, rate,
                        p99Millis.getAsDouble()));
                err.flush();
                lastAnswered = answered;
                lastNanos = now;
            }
        });
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

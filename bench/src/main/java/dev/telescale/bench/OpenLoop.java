package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.sim.Simulator;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Open-loop sending shared by the scenarios: one platform thread plans the sends (send i at
 * start + i/R, to user i mod U) and hands each to a new virtual thread at its planned time,
 * whether or not earlier messages were answered, so a slow bot cannot slow the load. A user's
 * sends are serialized by the user's lock with the number taken inside it, so one user's messages
 * reach the emulator in number order and lateness shows as latency from the planned time, never
 * as a reordering the bot did not cause.
 */
final class OpenLoop {
    private OpenLoop() {
    }

    /** A simulated user of one bot whose messages are numbered 0, 1, 2... in the order they are sent. */
    static class NumberedUser {
        final long id;
        final long bot;
        final ReentrantLock lock = new ReentrantLock();
        /** How many messages were sent, so also the next message's number. */
        int next;

        NumberedUser(long id, long bot) {
            this.id = id;
            this.bot = bot;
        }
    }

    /**
     * What the senders did: messages the emulator took, sends it refused, and the CPU time the whole
     * process (load, emulator and bot together) used from the first send to the end of the drain.
     */
    record Sent(long sent, long errors, double processCpuSeconds) {
        /** Process CPU milliseconds per answer: what one message cost the machine, end to end. */
        double cpuMillisPer(long answers) {
            return answers == 0 ? 0 : processCpuSeconds * 1_000 / answers;
        }
    }

    /** Called once every send is done, while the progress line still runs (to wait for the answers). */
    @FunctionalInterface
    interface Drain {
        void afterSends(long sent) throws InterruptedException;
    }

    /**
     * Sends {@code rate * (warmup + duration)} texts at {@code rate} per second, starting 50 ms from
     * now and measuring from the end of the warm-up, with a live progress line named after the
     * scenario; then runs {@code drain}.
     */
    static <U extends NumberedUser> Sent run(String scenario, PrintWriter err, Simulator sim, LatencyRecorder recorder,
                                             List<U> users, int rate, int warmupSeconds, int durationSeconds,
                                             Function<U, String> text, Drain drain) throws InterruptedException {
        return runTotal(scenario, err, sim, recorder, users, rate, (long) rate * (warmupSeconds + durationSeconds),
                warmupSeconds, text, drain);
    }

    /** As above, but {@code total} sends in all (whatever time that takes at {@code rate}), measured after the warm-up. */
    static <U extends NumberedUser> Sent runTotal(String scenario, PrintWriter err, Simulator sim, LatencyRecorder recorder,
                                                  List<U> users, int rate, long total, int warmupSeconds,
                                                  Function<U, String> text, Drain drain) throws InterruptedException {
        LongAdder sent = new LongAdder();
        LongAdder errors = new LongAdder();
        long startNanos = System.nanoTime() + 50_000_000L;
        recorder.measureFrom(startNanos + warmupSeconds * 1_000_000_000L);
        double intervalNanos = 1e9 / rate;
        long cpuAtStart = processCpuNanos();
        try (Progress progress = new Progress(scenario, err, sent::sum, recorder);
             ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < total; i++) {
                long planned = startNanos + (long) (i * intervalNanos);
                for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                U user = users.get((int) (i % users.size()));
                senders.execute(() -> send(sim, recorder, user, text, planned, sent, errors));
            }
            senders.shutdown();
            senders.awaitTermination(60, TimeUnit.SECONDS);
            drain.afterSends(sent.sum());
        }
        return new Sent(sent.sum(), errors.sum(), (processCpuNanos() - cpuAtStart) / 1e9);
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private static <U extends NumberedUser> void send(Simulator sim, LatencyRecorder recorder, U user,
                                                      Function<U, String> text, long plannedNanos, LongAdder sent,
                                                      LongAdder errors) {
        user.lock.lock();
        try {
            ObjectNode content = Json.object();
            content.put("text", text.apply(user));
            recorder.planned(user.id, plannedNanos);
            try {
                sim.send(user.id, user.bot, 0, content);
                user.next++;
                sent.increment();
            } catch (RuntimeException e) {
                recorder.unplanned(user.id);
                errors.increment();
            }
        } finally {
            user.lock.unlock();
        }
    }
}

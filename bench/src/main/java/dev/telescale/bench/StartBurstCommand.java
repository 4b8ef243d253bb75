package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.Simulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench start-burst}: N new users send /start at the same instant (one virtual thread each,
 * released by one latch). A user succeeds when the bot's answer reaches the emulator within the
 * limit (10 s) of that instant.
 */
@Command(name = "start-burst",        description = {"N new users send /start at once to the echo bot.",
                "Reports the success rate (an answer within --limit of the burst), latency percentiles, "
                + "and users who got no answer or more than one. Exit code 0 when every user got exactly one "
                + "in time, 1 otherwise."})
final class StartBurstCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "1000", paramLabel = "N",
            description = "New users in the burst (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--limit", defaultValue = "10", paramLabel = "SECONDS",
            description = "An answer later than this after the burst counts as a failure (default: ${DEFAULT-VALUE}).")
    int limitSeconds;

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, users >= 1 && users <= 1_000_000, "--users must be between 1 and 1000000, not " + users);
        ScenarioArgs.require(spec, limitSeconds >= 1 && limitSeconds <= 3_600,
                "--limit must be 1-3600 seconds, not " + limitSeconds);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "start-burst", ScenarioArgs.fromScenario(spec));
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 100)) {
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            List<Long> userIds = new ArrayList<>(users);
            for (int i = 0; i < users; i++) {
                userIds.add(sim.createUser("Burst" + i, null, null, "en", false).id());
            }
            recorder.countAnswersWithin(limitSeconds * 1_000_000L);
            LongAdder sent = new LongAdder();
            LongAdder sendErrors = new LongAdder();
            CountDownLatch gate = new CountDownLatch(1);
            long[] burstNanos = new long[1];
            long[] sendsDoneNanos = new long[1];
            try (Progress progress = new Progress("start-burst", err, sent::sum, recorder);
                 ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                CountDownLatch ready = new CountDownLatch(users);
                for (long userId : userIds) {
                    senders.execute(() -> {
                        ready.countDown();
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        recorder.planned(userId, burstNanos[0]);
                        try {
                            sim.start(userId, BenchStack.BOT_ID, null);
                            sent.increment();
                        } catch (RuntimeException e) {
                            recorder.unplanned(userId);
                            sendErrors.increment();
                        }
                    });
                }
                ready.await(30, TimeUnit.SECONDS);
                burstNanos[0] = System.nanoTime();
                recorder.measureFrom(burstNanos[0] - 1_000);
                gate.countDown();   // the latch publishes burstNanos to the senders
                senders.shutdown();
                senders.awaitTermination(60, TimeUnit.SECONDS);
                sendsDoneNanos[0] = System.nanoTime();
                // Late answers still count for correctness (late is not lost), so wait past the limit
                // until answers stop coming.
                stack.awaitAnswers(() -> recorder.answered() >= users, Duration.ofSeconds(15), Duration.ofSeconds(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench start-burst: interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));   // late duplicates, if any, get a chance to show
            Correctness correctness = Correctness.startReplies(sim, BenchStack.BOT_ID, userIds);
            double sendSeconds = (sendsDoneNanos[0] - burstNanos[0]) / 1e9;
            return report(folder, recorder, burstNanos[0], sendSeconds, sent.sum(), sendErrors.sum(), correctness, out);
        }
    }

    private int report(RunFolder folder, LatencyRecorder recorder, long burstNanos, double sendSeconds, long sent,
                       long sendErrors,
                       Correctness correctness, PrintWriter out) {
        Histogram service = recorder.deliveredToCall();
        Histogram fromBurst = recorder.plannedToCall();
        double successRate = recorder.answeredWithinLimit() / (double) users;
        double seconds = Math.max(1e-6, (recorder.lastMeasuredCallMicros() - recorder.traceMicros(burstNanos)) / 1e6);
        double throughput = recorder.measuredAnswered() / seconds;
        boolean passed = correctness.clean() && sendErrors == 0 && recorder.answeredWithinLimit() == users;

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("users", users);
        parameters.put("limitSeconds", limitSeconds);
        ObjectNode counts = result.putObject("counts");
        counts.put("sent", sent);
        counts.put("sendErrors", sendErrors);
        counts.put("deliveries", recorder.deliveries());
        counts.put("answered", recorder.answered());
        counts.put("answeredWithinLimit", recorder.answeredWithinLimit());
        counts.put("answeredLate", recorder.answered() - recorder.answeredWithinLimit());
        counts.put("failedBotCalls", recorder.failedCalls());
        counts.put("tooManyRequests", recorder.tooManyRequests());
        counts.put("unmatchedAnswers", recorder.unmatchedAnswers());
        result.put("successRate", successRate);
        result.put("secondsToSendBurst", Math.round(sendSeconds * 1000) / 1000.0);
        result.put("answersPerSecond", Math.round(throughput * 10) / 10.0);
        ObjectNode latency = result.putObject("latencyMs");
        latency.set("deliveredToAnswer", RunFolder.percentiles(service));
        latency.set("burstToAnswer", RunFolder.percentiles(fromBurst));
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "start-burst");
        row.put("setup", common.setupLabel());
        row.put("users", Integer.toString(users));
        row.put("success", String.format(Locale.ROOT, "%.1f %%", successRate * 100));
        row.put("p50", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(50))));
        row.put("p95", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(95))));
        row.put("p99", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(99))));
        row.put("max", RunFolder.ms(RunFolder.millis(service.getMaxValue())));
        row.put("p99 from burst", RunFolder.ms(RunFolder.millis(fromBurst.getValueAtPercentile(99))));
        row.put("max from burst", RunFolder.ms(RunFolder.millis(fromBurst.getMaxValue())));
        row.put("late", Long.toString(recorder.answered() - recorder.answeredWithinLimit()));
        row.put("no answer", Long.toString(correctness.lost()));
        row.put("duplicated", Long.toString(correctness.duplicated()));
        Map<String, Histogram> curves = new LinkedHashMap<>();
        curves.put("delivery to answer", service);
        curves.put("burst to answer", fromBurst);
        folder.write(result, row, curves);

        out.println(String.format(Locale.ROOT,
                "start-burst %s: %d users (all /start sent in %.2f s): success %.1f %%; delivery to answer p50 %.2f p95 %.2f p99 %.2f max %.2f ms "
                        + "(from the burst: p50 %.2f p99 %.2f max %.2f ms); answered late %d, no answer %d, duplicated %d%s",
                common.setupLabel(), users, sendSeconds, successRate * 100,
                RunFolder.millis(service.getValueAtPercentile(50)), RunFolder.millis(service.getValueAtPercentile(95)),
                RunFolder.millis(service.getValueAtPercentile(99)), RunFolder.millis(service.getMaxValue()),
                RunFolder.millis(fromBurst.getValueAtPercentile(50)), RunFolder.millis(fromBurst.getValueAtPercentile(99)),
                RunFolder.millis(fromBurst.getMaxValue()), recorder.answered() - recorder.answeredWithinLimit(),
                correctness.lost(), correctness.duplicated(),
                sendErrors == 0 ? "" : "; " + sendErrors + " sends failed"));
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }
}

package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.SimUser;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench ceiling}: U users send text to the echo bot at an open-loop rate of R messages per
 * second for T seconds (after a warm-up at the same rate that is checked but not measured).
 *
 * <p>Design: one platform thread plans the sends (send i at start + i/R) and hands each to a new
 * virtual thread at its planned time, whether or not earlier messages were answered. A user's
 * sends are serialized by that user's lock, and the sequence number is taken inside it, so the
 * order the emulator sees is the order of the numbers; a late send therefore shows up as latency
 * from its planned time, never as a reordering the bot did not cause.
 */
@Command(name = "ceiling",        description = {"U users send text to the echo bot at R messages/s for T s (open loop).",
                "Reports throughput, latency from delivery to the bot's answer (and from the planned send), "
                + "and messages lost, duplicated or reordered. Exit code 0 when none are, 1 otherwise."})
final class CeilingCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "100", paramLabel = "U",
            description = "Simulated users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "R",
            description = "Messages per second, all users together (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS",
            description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int duration;

    /** What answers: Telescale with the echo application, or the same echo with nothing of Telescale. */
    enum Bot { telescale, raw }

    @Option(names = "--bot", defaultValue = "telescale", paramLabel = "telescale|raw",
            description = {"telescale: the echo application on Telescale (journal, dispatcher, outbox, limits).",
                    "raw: the same echo over the same HTTP client and server without Telescale (no storage, no "
                            + "limits, no guarantees): the machine's ceiling for this traffic (default: ${DEFAULT-VALUE})."})
    Bot bot;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "SECONDS",
            description = "Seconds at the same rate before measuring; checked for correctness, not timed (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, users >= 1 && users <= 1_000_000, "--users must be between 1 and 1000000, not " + users);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 1_000_000, "--rate must be between 1 and 1000000, not " + rate);
        ScenarioArgs.require(spec, duration >= 1 && duration <= 86_400, "--duration must be 1-86400 seconds, not " + duration);
        ScenarioArgs.require(spec, warmup >= 0 && warmup <= 3_600, "--warmup must be 0-3600 seconds, not " + warmup);
        ScenarioArgs.require(spec, bot == Bot.telescale || (common.database == null && common.redis == null && !common.flood),
                "--bot raw has no storage, shared state or rate limits: leave out --database, --redis and --flood");
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "ceiling", ScenarioArgs.fromScenario(spec));
        long total = (long) rate * (warmup + duration);
        int perUser = (int) Math.min(Integer.MAX_VALUE / 4, total / users + 2);
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 2 * perUser + 100,
                bot == Bot.raw ? BenchStack.App.RAW_ECHO : BenchStack.App.ECHO)) {
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            List<OpenLoop.NumberedUser> simUsers = new ArrayList<>(users);
            for (int i = 0; i < users; i++) {
                SimUser user = sim.createUser("User" + i, null, null, "en", false);
                simUsers.add(new OpenLoop.NumberedUser(user.id(), BenchStack.BOT_ID));
                recorder.planned(user.id(), System.nanoTime());
                sim.start(user.id(), BenchStack.BOT_ID, null);
            }
            stack.awaitAnswers(() -> recorder.answered() >= users, Duration.ofSeconds(30), Duration.ofSeconds(60));
            if (recorder.answered() < users) {
                err.println("telescale: bench ceiling: only " + recorder.answered() + " of " + users
                        + " users got an answer to /start; not measuring");
                return 1;
            }
            OpenLoop.Sent sent;
            try {
                sent = OpenLoop.run("ceiling", err, sim, recorder, simUsers, rate, warmup, duration,
                        user -> "u" + user.id + "-" + user.next,
                        sends -> stack.awaitAnswers(() -> recorder.answered() >= users + sends, Duration.ofSeconds(15),
                                Duration.ofSeconds(120)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench ceiling: interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));   // late duplicates, if any, get a chance to show
            Map<Long, Integer> sentPerUser = new LinkedHashMap<>();
            simUsers.forEach(user -> sentPerUser.put(user.id, user.next));
            Correctness correctness = Correctness.echoes(sim, BenchStack.BOT_ID, sentPerUser);
            return report(folder, recorder, sent, correctness, out);
        }
    }

    private String setupLabel() {
        return bot == Bot.raw ? "raw+" + common.ingress : common.setupLabel();
    }

    private int report(RunFolder folder, LatencyRecorder recorder, OpenLoop.Sent sends, Correctness correctness,
                       PrintWriter out) {
        Histogram service = recorder.deliveredToCall();
        Histogram fromPlan = recorder.plannedToCall();
        double windowSeconds = Math.max(1e-6, (recorder.lastMeasuredCallMicros() - recorder.measureFromMicros()) / 1e6);
        double throughput = recorder.measuredAnswered() / windowSeconds;
        long sent = sends.sent();
        long sendErrors = sends.errors();
        double cpuMillisPerMessage = sends.cpuMillisPer(recorder.answered());
        boolean passed = correctness.clean() && sendErrors == 0;

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("users", users);
        parameters.put("bot", bot.name());
        parameters.put("rate", rate);
        parameters.put("durationSeconds", duration);
        parameters.put("warmupSeconds", warmup);
        ObjectNode counts = result.putObject("counts");
        counts.put("sent", sent);
        counts.put("sendErrors", sendErrors);
        counts.put("deliveries", recorder.deliveries());
        counts.put("answered", recorder.answered());
        counts.put("measuredAnswered", recorder.measuredAnswered());
        counts.put("failedBotCalls", recorder.failedCalls());
        counts.put("tooManyRequests", recorder.tooManyRequests());
        counts.put("unmatchedAnswers", recorder.unmatchedAnswers());
        result.put("throughputPerSecond", Math.round(throughput * 10) / 10.0);
        result.put("processCpuMillisPerMessage", Math.round(cpuMillisPerMessage * 1000) / 1000.0);
        ObjectNode latency = result.putObject("latencyMs");
        latency.set("deliveredToAnswer", RunFolder.percentiles(service));
        latency.set("plannedSendToAnswer", RunFolder.percentiles(fromPlan));
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "ceiling");
        row.put("setup", setupLabel());
        row.put("users", Integer.toString(users));
        row.put("offered/s", Integer.toString(rate));
        row.put("seconds", Integer.toString(duration));
        row.put("achieved/s", String.format(Locale.ROOT, "%.0f", throughput));
        row.put("CPU ms/msg", String.format(Locale.ROOT, "%.2f", cpuMillisPerMessage));
        row.put("p50", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(50))));
        row.put("p95", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(95))));
        row.put("p99", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(99))));
        row.put("max", RunFolder.ms(RunFolder.millis(service.getMaxValue())));
        row.put("p99 from planned send", RunFolder.ms(RunFolder.millis(fromPlan.getValueAtPercentile(99))));
        row.put("lost", Long.toString(correctness.lost()));
        row.put("duplicated", Long.toString(correctness.duplicated()));
        row.put("reordered", Long.toString(correctness.reordered()));
        Map<String, Histogram> curves = new LinkedHashMap<>();
        curves.put("delivery to answer", service);
        curves.put("planned send to answer", fromPlan);
        folder.write(result, row, curves);

        out.println(String.format(Locale.ROOT,
                "ceiling %s: %d users, %d/s offered for %d s: %.0f answers/s, %.2f ms CPU per message; delivery to answer p50 %.2f p95 %.2f "
                        + "p99 %.2f max %.2f ms (p99 from planned send %.2f ms); lost %d, duplicated %d, reordered %d%s",
                setupLabel(), users, rate, duration, throughput, cpuMillisPerMessage,
                RunFolder.millis(service.getValueAtPercentile(50)), RunFolder.millis(service.getValueAtPercentile(95)),
                RunFolder.millis(service.getValueAtPercentile(99)), RunFolder.millis(service.getMaxValue()),
                RunFolder.millis(fromPlan.getValueAtPercentile(99)),
                correctness.lost(), correctness.duplicated(), correctness.reordered(),
                sendErrors == 0 ? "" : "; " + sendErrors + " sends failed"));
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }
}

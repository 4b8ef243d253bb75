package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.bench.AnonChatUsers.Partnered;
import dev.telescale.emulator.sim.Simulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench relay}: P pairs of users of the anonymous chat (one of each pair on each of two
 * bots, so every message crosses bots) talk at an open-loop rate of R messages per second in
 * total for T seconds, after a setup that is not measured: 2P users onboard (in parallel), then
 * each pair is matched in turn (the first searches and waits, then the second).
 *
 * <p>Every user of every pair sends: send i goes to sender i mod 2P, with the text
 * {@code m <sender> <n>}, n counting per sender. As in {@code ceiling}, one platform thread plans
 * the sends and hands each to a new virtual thread at its planned time, and a sender's sends are
 * serialized by that sender's lock with the number taken inside it. Latency runs from the
 * emulator delivering the sender's update to the partner's bot's sendMessage into the partner's
 * chat reaching the emulator (both from the emulator's trace).
 */
@Command(name = "relay",        description = {"P pairs of anonymous chat users, on two bots, send text to their partners "
                + "at R messages/s in total for T s (open loop); the setup (onboarding, matching) is not measured.",
                "Reports the success rate, throughput, latency from delivery of the sender's update to the copy "
                + "reaching the partner's chat (and from the planned send), and messages lost, duplicated or "
                + "reordered. Exit code 0 when none are, 1 otherwise."})
final class RelayCommand implements java.util.concurrent.Callable<Integer> {
    /** RATE_LIMIT_PER_CHAT may not exceed 100/s, and a partner's chat receives one sender's messages. */
    private static final int MAX_PER_SENDER = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--pairs", defaultValue = "50", paramLabel = "P",
            description = "Pairs of users in a conversation, 2P users in all (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "R",
            description = "Messages per second, all senders together, at most 100 per sender (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS",
            description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "SECONDS",
            description = "Seconds at the same rate before measuring; checked for correctness, not timed (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        return run("relay");
    }

    /**
     * The run, under the given scenario name ({@code relay}, or {@code flood} which forces the
     * flood limits on): also counts every call of both bots from the start (setup included) to
     * report 429s per 10,000 messages.
     */
    Integer run(String scenario) {
        ScenarioArgs.require(spec, pairs >= 1 && pairs <= 100_000, "--pairs must be between 1 and 100000, not " + pairs);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 1_000_000, "--rate must be between 1 and 1000000, not " + rate);
        ScenarioArgs.require(spec, rate <= (long) MAX_PER_SENDER * 2 * pairs, "--rate " + rate + " is more than "
                + MAX_PER_SENDER + " messages/s per sender for " + pairs + " pairs (the bot's per-chat limit); add pairs");
        ScenarioArgs.require(spec, duration >= 1 && duration <= 86_400, "--duration must be 1-86400 seconds, not " + duration);
        ScenarioArgs.require(spec, warmup >= 0 && warmup <= 3_600, "--warmup must be 0-3600 seconds, not " + warmup);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, scenario, ScenarioArgs.fromScenario(spec));
        long total = (long) rate * (warmup + duration);
        int senderCount = 2 * pairs;
        int perSender = (int) Math.min(Integer.MAX_VALUE / 4, total / senderCount + 2);
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 2 * perSender + 100, BenchStack.App.ANONCHAT)) {
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            CallTally calls = new CallTally(Set.of(BenchStack.CHAT_BOT_A, BenchStack.CHAT_BOT_B));
            stack.emulator().state().trace().subscribe(calls);
            long setupStart = System.nanoTime();
            List<Partnered> senders;
            try {
                senders = setUp(sim);
            } catch (IllegalStateException e) {
                err.println("telescale: bench " + scenario + ": setup failed: " + e.getMessage() + "; not measuring");
                return 1;
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            // Late deliveries of the setup's updates (webhook deliveries are traced when the 2xx
            // arrives) must not be taken for the first message's.
            BenchStack.sleep(Duration.ofMillis(300));
            for (Partnered sender : senders) {
                stack.partnerOf().put(sender.id, sender.partner);
            }
            OpenLoop.Sent sent;
            try {
                // A backlog drains for as long as relays keep coming (late is not lost); 15 s without one ends the wait.
                sent = OpenLoop.run(scenario, err, sim, recorder, senders, rate, warmup, duration,
                        sender -> "m " + sender.id + " " + sender.next,
                        sends -> stack.awaitAnswers(() -> recorder.answered() >= sends, Duration.ofSeconds(15),
                                Duration.ofMinutes(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench " + scenario + ": interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));   // late duplicates, if any, get a chance to show
            Map<Long, Correctness.Relayed> relayed = new LinkedHashMap<>();
            for (Partnered sender : senders) {
                relayed.put(sender.id, new Correctness.Relayed(sender.partner, sender.partnerBot, sender.next));
            }
            Correctness correctness = Correctness.relays(sim, relayed);
            return report(scenario, folder, recorder, calls, setupSeconds, sent, correctness, out);
        }
    }

    /** Onboards 2P users (in parallel, a few at a time) and matches them pair by pair; returns them a0, b0, a1, b1... */
    private List<Partnered> setUp(Simulator sim) {
        List<Partnered> senders = new ArrayList<>(2 * pairs);
        for (int i = 0; i < pairs; i++) {
            senders.add(new Partnered(sim.createUser("RelayA" + i, null, null, "en", false).id(), BenchStack.CHAT_BOT_A));
            senders.add(new Partnered(sim.createUser("RelayB" + i, null, null, "en", false).id(), BenchStack.CHAT_BOT_B));
        }
        AnonChatUsers.onboardAll(sim, senders);
        // One pair at a time, so nobody is matched with a user of the same bot or of another pair.
        for (int i = 0; i < pairs; i++) {
            Partnered a = senders.get(2 * i);
            Partnered b = senders.get(2 * i + 1);
            AnonChatUsers.text(sim, a, "/search");
            AnonChatUsers.awaitText(sim, a, "Looking for a partner");
            AnonChatUsers.text(sim, b, "/search");
            AnonChatUsers.awaitText(sim, b, "Partner found");
            AnonChatUsers.awaitText(sim, a, "Partner found");
            a.pairWith(b);
        }
        return senders;
    }

    private int report(String scenario, RunFolder folder, LatencyRecorder recorder, CallTally calls, double setupSeconds,
                       OpenLoop.Sent sends, Correctness correctness, PrintWriter out) {
        RelayFigures figures = RelayFigures.of(recorder, correctness);
        Histogram service = figures.deliveredToRelay();
        Histogram fromPlan = figures.plannedToRelay();
        double throughput = figures.throughput();
        double successRate = figures.successRate();
        long sent = sends.sent();
        long sendErrors = sends.errors();
        double cpuMillisPerMessage = sends.cpuMillisPer(recorder.answered());
        boolean passed = correctness.clean() && sendErrors == 0;

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("pairs", pairs);
        parameters.put("rate", rate);
        parameters.put("durationSeconds", duration);
        parameters.put("warmupSeconds", warmup);
        ObjectNode counts = result.putObject("counts");
        RelayFigures.writeCounts(counts, sent, sendErrors, recorder);
        counts.put("botMessagesWholeRun", calls.messages());
        counts.put("tooManyRequestsWholeRun", calls.tooManyRequests());
        result.put("tooManyRequestsPer10000Messages", Math.round(calls.tooManyRequestsPer10k() * 100) / 100.0);
        result.put("setupSeconds", Math.round(setupSeconds * 100) / 100.0);
        result.put("processCpuMillisPerMessage", Math.round(cpuMillisPerMessage * 1000) / 1000.0);
        figures.writeTo(result);
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", scenario);
        row.put("setup", common.setupLabel());
        row.put("pairs", Integer.toString(pairs));
        row.put("offered/s", Integer.toString(rate));
        row.put("seconds", Integer.toString(duration));
        row.put("success", String.format(Locale.ROOT, "%.1f %%", successRate * 100));
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
        row.put("429s per 10,000", String.format(Locale.ROOT, "%.2f", calls.tooManyRequestsPer10k()));
        folder.write(result, row, figures.curves());

        out.println(String.format(Locale.ROOT,
                "%s %s: %d pairs (set up in %.1f s), %d/s offered for %d s: success %.1f %%, %.0f relays/s, "
                        + "%.2f ms CPU per message; delivery to relay p50 %.2f p95 %.2f p99 %.2f max %.2f ms "
                        + "(p99 from planned send %.2f ms); lost %d, duplicated %d, reordered %d%s%s",
                scenario, common.setupLabel(), pairs, setupSeconds, rate, duration, successRate * 100, throughput,
                cpuMillisPerMessage,
                RunFolder.millis(service.getValueAtPercentile(50)), RunFolder.millis(service.getValueAtPercentile(95)),
                RunFolder.millis(service.getValueAtPercentile(99)), RunFolder.millis(service.getMaxValue()),
                RunFolder.millis(fromPlan.getValueAtPercentile(99)),
                correctness.lost(), correctness.duplicated(), correctness.reordered(),
                sendErrors == 0 ? "" : "; " + sendErrors + " sends failed",
                common.flood ? String.format(Locale.ROOT, "; %d 429s for %d bot messages (%.2f per 10,000)",
                        calls.tooManyRequests(), calls.messages(), calls.tooManyRequestsPer10k()) : ""));
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }
}

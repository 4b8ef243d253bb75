package dev.telescale.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.emulator.state.InboxEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
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
    private static final Duration SETUP_WAIT = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

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

    /** A simulated user of one bot, sending to a partner on the other bot. */
    private static final class Sender extends OpenLoop.NumberedUser {
        long partner;
        long partnerBot;
        long seenSeq;

        Sender(long id, long bot) {
            super(id, bot);
        }
    }

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, pairs >= 1 && pairs <= 100_000, "--pairs must be between 1 and 100000, not " + pairs);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 1_000_000, "--rate must be between 1 and 1000000, not " + rate);
        ScenarioArgs.require(spec, rate <= (long) MAX_PER_SENDER * 2 * pairs, "--rate " + rate + " is more than "
                + MAX_PER_SENDER + " messages/s per sender for " + pairs + " pairs (the bot's per-chat limit); add pairs");
        ScenarioArgs.require(spec, duration >= 1 && duration <= 86_400, "--duration must be 1-86400 seconds, not " + duration);
        ScenarioArgs.require(spec, warmup >= 0 && warmup <= 3_600, "--warmup must be 0-3600 seconds, not " + warmup);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "relay", ScenarioArgs.fromScenario(spec));
        long total = (long) rate * (warmup + duration);
        int senderCount = 2 * pairs;
        int perSender = (int) Math.min(Integer.MAX_VALUE / 4, total / senderCount + 2);
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 2 * perSender + 100, BenchStack.App.ANONCHAT)) {
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            long setupStart = System.nanoTime();
            List<Sender> senders;
            try {
                senders = setUp(sim);
            } catch (IllegalStateException e) {
                err.println("telescale: bench relay: setup failed: " + e.getMessage() + "; not measuring");
                return 1;
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            // Late deliveries of the setup's updates (webhook deliveries are traced when the 2xx
            // arrives) must not be taken for the first message's.
            BenchStack.sleep(Duration.ofMillis(300));
            for (Sender sender : senders) {
                stack.partnerOf().put(sender.id, sender.partner);
            }
            OpenLoop.Sent sent;
            try {
                // A backlog drains for as long as relays keep coming (late is not lost); 15 s without one ends the wait.
                sent = OpenLoop.run("relay", err, sim, recorder, senders, rate, warmup, duration,
                        sender -> "m " + sender.id + " " + sender.next,
                        sends -> stack.awaitAnswers(() -> recorder.answered() >= sends, Duration.ofSeconds(15),
                                Duration.ofMinutes(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench relay: interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));   // late duplicates, if any, get a chance to show
            Map<Long, Correctness.Relayed> relayed = new LinkedHashMap<>();
            for (Sender sender : senders) {
                relayed.put(sender.id, new Correctness.Relayed(sender.partner, sender.partnerBot, sender.next));
            }
            Correctness correctness = Correctness.relays(sim, relayed);
            return report(folder, recorder, setupSeconds, sent.sent(), sent.errors(), correctness, out);
        }
    }

    /** Onboards 2P users (in parallel, a few at a time) and matches them pair by pair; returns them a0, b0, a1, b1... */
    private List<Sender> setUp(Simulator sim) {
        List<Sender> senders = new ArrayList<>(2 * pairs);
        for (int i = 0; i < pairs; i++) {
            senders.add(new Sender(sim.createUser("RelayA" + i, null, null, "en", false).id(), BenchStack.CHAT_BOT_A));
            senders.add(new Sender(sim.createUser("RelayB" + i, null, null, "en", false).id(), BenchStack.CHAT_BOT_B));
        }
        Semaphore concurrent = new Semaphore(32);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> onboarded = new ArrayList<>();
            for (int i = 0; i < senders.size(); i++) {
                Sender sender = senders.get(i);
                String gender = i % 2 == 0 ? "m" : "f";
                onboarded.add(executor.submit(() -> {
                    concurrent.acquireUninterruptibly();
                    try {
                        onboard(sim, sender, gender);
                    } finally {
                        concurrent.release();
                    }
                }));
            }
            for (Future<?> future : onboarded) {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IllegalStateException problem ? problem
                            : new IllegalStateException("onboarding: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted during onboarding", e);
                }
            }
        }
        // One pair at a time, so nobody is matched with a user of the same bot or of another pair.
        for (int i = 0; i < pairs; i++) {
            Sender a = senders.get(2 * i);
            Sender b = senders.get(2 * i + 1);
            text(sim, a, "/search");
            awaitText(sim, a, "Looking for a partner");
            text(sim, b, "/search");
            awaitText(sim, b, "Partner found");
            awaitText(sim, a, "Partner found");
            a.partner = b.id;
            a.partnerBot = b.bot;
            b.partner = a.id;
            b.partnerBot = a.bot;
        }
        return senders;
    }

    private static void onboard(Simulator sim, Sender user, String gender) {
        sim.start(user.id, user.bot, null);
        InboxEvent question = await(sim, user, "the gender question", event -> hasButton(event.payload(), "g:" + gender));
        sim.press(user.id, user.bot, 0, question.messageId(), "g:" + gender, null);
        awaitText(sim, user, "How old");
        text(sim, user, "30");
        awaitText(sim, user, "All set");
    }

    private static boolean hasButton(JsonNode message, String data) {
        for (JsonNode row : message.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode button : row) {
                if (data.equals(button.path("callback_data").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void text(Simulator sim, Sender user, String text) {
        ObjectNode content = Json.object();
        content.put("text", text);
        sim.send(user.id, user.bot, 0, content);
    }

    private static InboxEvent awaitText(Simulator sim, Sender user, String fragment) {
        return await(sim, user, "'" + fragment + "'", event -> event.payload().path("text").asText("").contains(fragment));
    }

    /** Waits for a new message (after the last one awaited) that matches. */
    private static InboxEvent await(Simulator sim, Sender user, String what, Predicate<InboxEvent> matches) {
        long deadline = System.nanoTime() + SETUP_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (InboxEvent event : sim.inbox(user.id, user.bot, 0, user.seenSeq)) {
                if (event.event().equals("message") && matches.test(event)) {
                    user.seenSeq = event.seq();
                    return event;
                }
            }
            BenchStack.sleep(Duration.ofMillis(20));
        }
        throw new IllegalStateException("user " + user.id + " got no " + what + " within " + SETUP_WAIT.toSeconds() + " s");
    }

    private int report(RunFolder folder, LatencyRecorder recorder, double setupSeconds, long sent, long sendErrors,
                       Correctness correctness, PrintWriter out) {
        RelayFigures figures = RelayFigures.of(recorder, correctness);
        Histogram service = figures.deliveredToRelay();
        Histogram fromPlan = figures.plannedToRelay();
        double throughput = figures.throughput();
        double successRate = figures.successRate();
        boolean passed = correctness.clean() && sendErrors == 0;

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("pairs", pairs);
        parameters.put("rate", rate);
        parameters.put("durationSeconds", duration);
        parameters.put("warmupSeconds", warmup);
        RelayFigures.writeCounts(result.putObject("counts"), sent, sendErrors, recorder);
        result.put("setupSeconds", Math.round(setupSeconds * 100) / 100.0);
        figures.writeTo(result);
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "relay");
        row.put("setup", common.setupLabel());
        row.put("pairs", Integer.toString(pairs));
        row.put("offered/s", Integer.toString(rate));
        row.put("seconds", Integer.toString(duration));
        row.put("success", String.format(Locale.ROOT, "%.1f %%", successRate * 100));
        row.put("achieved/s", String.format(Locale.ROOT, "%.0f", throughput));
        row.put("p50", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(50))));
        row.put("p95", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(95))));
        row.put("p99", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(99))));
        row.put("max", RunFolder.ms(RunFolder.millis(service.getMaxValue())));
        row.put("p99 from planned send", RunFolder.ms(RunFolder.millis(fromPlan.getValueAtPercentile(99))));
        row.put("lost", Long.toString(correctness.lost()));
        row.put("duplicated", Long.toString(correctness.duplicated()));
        row.put("reordered", Long.toString(correctness.reordered()));
        folder.write(result, row, figures.curves());

        out.println(String.format(Locale.ROOT,
                "relay %s: %d pairs (set up in %.1f s), %d/s offered for %d s: success %.1f %%, %.0f relays/s; "
                        + "delivery to relay p50 %.2f p95 %.2f p99 %.2f max %.2f ms (p99 from planned send %.2f ms); "
                        + "lost %d, duplicated %d, reordered %d%s",
                common.setupLabel(), pairs, setupSeconds, rate, duration, successRate * 100, throughput,
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

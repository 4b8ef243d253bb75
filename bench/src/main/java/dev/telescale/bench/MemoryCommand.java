package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.bench.AnonChatUsers.Partnered;
import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bench memory}: the anonymous chat's peak resident memory after relaying for U distinct
 * users. The bot runs in a JVM of its own ({@link BotProcess}), whatever {@code --bot-process}
 * says, so that its resident set is its own.
 *
 * <p>Setup, not measured: U/2 pairs are preloaded, not onboarded through the dialogue (four
 * updates a user would take hours at the bot's rates): the emulator creates the users and marks
 * each as having started their bot ({@code Simulator.markStarted}, no update), and before the bot
 * starts the harness migrates its database and inserts, in one transaction, each user's profile
 * ({@code telegram_users}), onboarded anonymous-chat user ({@code ac_users}), and each pair's
 * conversation ({@code ac_conversations}, {@code ac_active} both ways), exactly as onboarding and
 * matching would leave them. Then every user sends one message to their partner, open loop at R
 * per second (the first of each pair on bot A, the second on bot B, so every message crosses
 * bots), each relay is checked as in {@code relay}, and the child's peak resident set (the
 * kernel's VmHWM) is compared with the goal.
 */
@Command(name = "memory", description = {"The bot's peak resident memory (VmHWM of a separate bot JVM) after U distinct "
        + "anonymous chat users, preloaded in pairs, each relay one message to their partner at R messages/s.",
        "Reports the peak and sampled resident set, the heap after a full GC, relay latency and messages lost, "
        + "duplicated or reordered. Exit code 0 when none are and the peak is within --limit-mb, 1 otherwise."})
final class MemoryCommand implements java.util.concurrent.Callable<Integer> {
    private static final long BYTES_PER_MB = 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "100000", paramLabel = "U",
            description = "Distinct users, an even number, in U/2 pairs (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "R",
            description = "Messages per second, all users together; each user sends one (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--limit-mb", defaultValue = "256", paramLabel = "MB",
            description = "The goal for the bot's peak resident memory, in MiB (default: ${DEFAULT-VALUE}).")
    int limitMb;

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, users >= 2 && users <= 1_000_000 && users % 2 == 0,
                "--users must be an even number between 2 and 1000000, not " + users);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 100_000, "--rate must be between 1 and 100000, not " + rate);
        ScenarioArgs.require(spec, limitMb >= 1, "--limit-mb must be positive, not " + limitMb);
        common.botProcess = CommonOptions.BotPlacement.separate;
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "memory", ScenarioArgs.fromScenario(spec));
        List<Partnered> members = new ArrayList<>(users);
        long setupStart = System.nanoTime();
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 100, BenchStack.App.ANONCHAT,
                (emulator, config, env) -> preload(emulator, config, env, members))) {
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            SeparateBot bot = stack.separateBot().orElseThrow();
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            SeparateBot.Memory atStart = bot.memory();
            for (Partnered member : members) {
                stack.partnerOf().put(member.id, member.partner);
            }
            OpenLoop.Sent sent;
            try {
                sent = OpenLoop.runTotal("memory", err, sim, recorder, members, rate, users, 0,
                        member -> "m " + member.id + " " + member.next,
                        sends -> stack.awaitAnswers(() -> recorder.answered() >= sends, Duration.ofSeconds(15),
                                Duration.ofMinutes(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench memory: interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));   // late duplicates, if any, get a chance to show
            SeparateBot.Memory afterRun = bot.memory();
            Optional<Long> heapKb = bot.heapAfterFullGc(folder.dir().resolve("heap-histogram.txt"));
            Map<Long, Correctness.Relayed> relayed = new LinkedHashMap<>();
            for (Partnered member : members) {
                relayed.put(member.id, new Correctness.Relayed(member.partner, member.partnerBot, member.next));
            }
            Correctness correctness = Correctness.relays(sim, relayed);
            return report(folder, recorder, setupSeconds, sent, correctness, atStart, afterRun, heapKb, out);
        } catch (IllegalStateException e) {
            err.println("telescale: bench memory: " + e.getMessage());
            return 1;
        }
    }

    /** Creates the users in the emulator and puts them, onboarded and paired, into the bot's database. */
    private void preload(Emulator emulator, TelescaleConfig config, Map<String, String> env, List<Partnered> into) {
        Simulator sim = emulator.sim();
        for (int pair = 0; pair < users / 2; pair++) {
            Partnered a = new Partnered(sim.createUser("MemA" + pair, null, null, "en", false).id(), BenchStack.CHAT_BOT_A);
            Partnered b = new Partnered(sim.createUser("MemB" + pair, null, null, "en", false).id(), BenchStack.CHAT_BOT_B);
            sim.markStarted(a.id, a.bot);
            sim.markStarted(b.id, b.bot);
            a.pairWith(b);
            into.add(a);
            into.add(b);
        }
        long now = System.currentTimeMillis();
        BenchStack.migrated(config, BenchStack.App.ANONCHAT, env,
                database -> database.useTransaction(handle -> insertPairs(handle, into, now)));
    }

    private static void insertPairs(Handle handle, List<Partnered> members, long now) {
        try {
            Preload.insertUsers(handle.getConnection(), members.size(), i -> new Preload.User(members.get(i).id,
                    members.get(i).bot, (i % 2 == 0 ? "MemA" : "MemB") + i / 2, i % 2 == 0 ? "m" : "f", 30, now));
        } catch (SQLException e) {
            throw new IllegalStateException("preloading " + members.size() + " users failed: " + e.getMessage(), e);
        }
        PreparedBatch conversations = handle.prepareBatch("""
                INSERT INTO ac_conversations (user_a, bot_a, user_b, bot_b, started_at) VALUES (:a, :botA, :b, :botB, :now)""");
        for (int i = 0; i < members.size(); i += 2) {
            Partnered member = members.get(i);
            conversations.bind("a", member.id).bind("botA", member.bot).bind("b", member.partner)
                    .bind("botB", member.partnerBot).bind("now", now).add();
            if (conversations.size() >= 10_000) {
                conversations.execute();
            }
        }
        if (conversations.size() > 0) {
            conversations.execute();
        }
        handle.execute("""
                INSERT INTO ac_active (user_id, conversation, own_bot, partner_id, partner_bot, started_at)
                SELECT user_a, id, bot_a, user_b, bot_b, started_at FROM ac_conversations""");
        handle.execute("""
                INSERT INTO ac_active (user_id, conversation, own_bot, partner_id, partner_bot, started_at)
                SELECT user_b, id, bot_b, user_a, bot_a, started_at FROM ac_conversations""");
    }

    private int report(RunFolder folder, LatencyRecorder recorder, double setupSeconds, OpenLoop.Sent sent,
                       Correctness correctness, SeparateBot.Memory atStart, SeparateBot.Memory afterRun,
                       Optional<Long> heapKb, PrintWriter out) {
        RelayFigures figures = RelayFigures.of(recorder, correctness);
        Histogram service = figures.deliveredToRelay();
        double peakMb = afterRun.peakKb() / 1024.0;
        boolean withinGoal = afterRun.peakKb() > 0 && afterRun.peakKb() * 1024 <= limitMb * BYTES_PER_MB;
        boolean passed = correctness.clean() && sent.errors() == 0 && withinGoal;

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("users", users);
        parameters.put("rate", rate);
        parameters.put("limitMb", limitMb);
        RelayFigures.writeCounts(result.putObject("counts"), sent.sent(), sent.errors(), recorder);
        ObjectNode memory = result.putObject("botMemory");
        memory.put("peakRssMb", round(peakMb));
        memory.put("highestSampledRssMb", round(afterRun.highestSampledKb() / 1024.0));
        memory.put("rssAfterRunMb", round(afterRun.lastKb() / 1024.0));
        memory.put("rssWhenReadyMb", round(atStart.lastKb() / 1024.0));
        memory.put("peakRssWhenReadyMb", round(atStart.peakKb() / 1024.0));
        heapKb.ifPresent(kb -> memory.put("heapAfterFullGcMb", round(kb / 1024.0)));
        memory.put("withinGoal", withinGoal);
        result.put("setupSeconds", round(setupSeconds));
        figures.writeTo(result);
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        String heap = heapKb.map(kb -> String.format(Locale.ROOT, "%.1f MB", kb / 1024.0)).orElse("unknown");
        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "memory");
        row.put("setup", common.setupLabel());
        row.put("users", Integer.toString(users));
        row.put("offered/s", Integer.toString(rate));
        row.put("peak RSS", String.format(Locale.ROOT, "%.1f MB", peakMb));
        row.put("RSS after", String.format(Locale.ROOT, "%.1f MB", afterRun.lastKb() / 1024.0));
        row.put("heap after full GC", heap);
        row.put("goal", "<= " + limitMb + " MB: " + (withinGoal ? "met" : "NOT met"));
        row.put("p99", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(99))));
        row.put("lost", Long.toString(correctness.lost()));
        row.put("duplicated", Long.toString(correctness.duplicated()));
        row.put("reordered", Long.toString(correctness.reordered()));
        folder.write(result, row, figures.curves());

        out.println(String.format(Locale.ROOT,
                "memory %s: %d users (%d pairs, preloaded and started in %.1f s), one message each at %d/s: success %.1f %%, "
                        + "%.0f relays/s, delivery to relay p99 %.2f ms; lost %d, duplicated %d, reordered %d%s; "
                        + "bot process (%s): peak RSS %.1f MB (%.1f MB when ready), RSS after %.1f MB, heap after full GC %s; "
                        + "goal <= %d MB %s",
                common.setupLabel(), users, users / 2, setupSeconds, rate, figures.successRate() * 100, figures.throughput(),
                RunFolder.millis(service.getValueAtPercentile(99)), correctness.lost(), correctness.duplicated(),
                correctness.reordered(), sent.errors() == 0 ? "" : "; " + sent.errors() + " sends failed",
                common.botJvmOptions, peakMb, atStart.peakKb() / 1024.0, afterRun.lastKb() / 1024.0, heap, limitMb,
                withinGoal ? "met" : "NOT met"));
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}

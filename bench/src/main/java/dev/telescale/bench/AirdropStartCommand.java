package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.runtime.storage.Database;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.jdbi.v3.core.Handle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench airdrop-start}: the airdrop's seeds arriving. First the inviters start the bot
 * (not measured) and the harness reads their referral codes from ad_users; then N new users send
 * {@code /start <code>} at the same instant (one virtual thread each, released by one latch), user
 * i with inviter i mod I's code. Measured as start-burst measures (delivery to the welcome, and
 * from the burst), plus the bot's webhook answer time: the emulator posts through a
 * {@link WebhookTimer} in front of the bot. Checks: every user got exactly one welcome, every
 * invitee has the intended inviter recorded in ad_users.referrer_no, no failed bot calls.
 */
@Command(name = "airdrop-start", description = {"The airdrop application: I inviters start the bot first, then N new users "
        + "send /start with one of their referral codes at once, through the webhook.",
        "Reports the success rate, delivery-to-welcome and webhook answer percentiles (goal: webhook answer p99 "
                + "<= 100 ms), and checks every user got one welcome and every invitee's referrer was recorded. "
                + "Exit code 0 when the checks pass, 1 otherwise."})
final class AirdropStartCommand implements Callable<Integer> {
    static final double WEBHOOK_GOAL_MS = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "1000", paramLabel = "N",
            description = "New users in the burst, each with a referral code (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--inviters", defaultValue = "100", paramLabel = "I",
            description = "Users who start the bot before the burst and whose codes the burst uses (default: ${DEFAULT-VALUE}).")
    int inviters;

    @Option(names = "--limit", defaultValue = "10", paramLabel = "SECONDS",
            description = "An answer later than this after the burst counts as a failure (default: ${DEFAULT-VALUE}).")
    int limitSeconds;

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, users >= 1 && users <= 1_000_000, "--users must be between 1 and 1000000, not " + users);
        ScenarioArgs.require(spec, inviters >= 1 && inviters <= 100_000, "--inviters must be between 1 and 100000, not " + inviters);
        ScenarioArgs.require(spec, limitSeconds >= 1 && limitSeconds <= 3_600,
                "--limit must be 1-3600 seconds, not " + limitSeconds);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "airdrop-start", ScenarioArgs.fromScenario(spec));
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 100, BenchStack.App.AIRDROP,
                BenchStack.BeforeBot.NOTHING, true);
             Database database = stack.openDatabase()) {
            Simulator sim = stack.emulator().sim();
            LatencyRecorder recorder = stack.recorder();
            List<Long> inviterIds = new ArrayList<>(inviters);
            for (int i = 0; i < inviters; i++) {
                inviterIds.add(sim.createUser("Inviter" + i, null, null, "en", false).id());
            }
            List<Long> userIds = new ArrayList<>(users);
            for (int i = 0; i < users; i++) {
                userIds.add(sim.createUser("Seed" + i, null, null, "en", false).id());
            }
            // The inviters, not measured.
            for (long inviter : inviterIds) {
                recorder.planned(inviter, System.nanoTime());
                sim.start(inviter, BenchStack.BOT_ID, null);
            }
            stack.awaitAnswers(() -> recorder.answered() >= inviters, Duration.ofSeconds(15), Duration.ofSeconds(120));
            long inviterAnswers = recorder.answered();
            long inviterWithinLimit = recorder.answeredWithinLimit();
            Map<Long, String> codeOf = codes(database);
            List<String> inviterCodes = new ArrayList<>();
            for (long inviter : inviterIds) {
                String code = codeOf.get(inviter);
                if (code == null) {
                    err.println("telescale: bench airdrop-start: inviter " + inviter + " has no row in ad_users");
                    return 1;
                }
                inviterCodes.add(code);
            }

            recorder.countAnswersWithin(limitSeconds * 1_000_000L);
            LongAdder sent = new LongAdder();
            LongAdder sendErrors = new LongAdder();
            CountDownLatch gate = new CountDownLatch(1);
            long[] burstNanos = new long[1];
            long[] sendsDoneNanos = new long[1];
            try (Progress progress = new Progress("airdrop-start", err, sent::sum, recorder);
                 ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                CountDownLatch ready = new CountDownLatch(users);
                for (int i = 0; i < users; i++) {
                    long userId = userIds.get(i);
                    String code = inviterCodes.get(i % inviters);
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
                            sim.start(userId, BenchStack.BOT_ID, code);
                            sent.increment();
                        } catch (RuntimeException e) {
                            recorder.unplanned(userId);
                            sendErrors.increment();
                        }
                    });
                }
                ready.await(30, TimeUnit.SECONDS);
                stack.webhookTimer().ifPresent(WebhookTimer::measureFromNow);
                burstNanos[0] = System.nanoTime();
                recorder.measureFrom(burstNanos[0] - 1_000);
                gate.countDown();
                senders.shutdown();
                senders.awaitTermination(60, TimeUnit.SECONDS);
                sendsDoneNanos[0] = System.nanoTime();
                stack.awaitAnswers(() -> recorder.answered() - inviterAnswers >= users, Duration.ofSeconds(15),
                        Duration.ofSeconds(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("telescale: bench airdrop-start: interrupted");
                return 1;
            }
            BenchStack.sleep(Duration.ofMillis(300));
            Correctness correctness = Correctness.startReplies(sim, BenchStack.BOT_ID, userIds);
            Map<Long, Long> intendedInviter = new HashMap<>();
            for (int i = 0; i < users; i++) {
                intendedInviter.put(userIds.get(i), inviterIds.get(i % inviters));
            }
            long[] referrals = referrals(database, intendedInviter);
            long answered = recorder.answered() - inviterAnswers;
            long withinLimit = recorder.answeredWithinLimit() - inviterWithinLimit;
            double sendSeconds = (sendsDoneNanos[0] - burstNanos[0]) / 1e9;
            Histogram webhook = stack.webhookTimer().map(WebhookTimer::answers).orElse(null);
            long webhookFailures = stack.webhookTimer().map(WebhookTimer::failures).orElse(0L);
            return report(folder, recorder, sendSeconds, sent.sum(), sendErrors.sum(), answered, withinLimit, correctness,
                    referrals, webhook, webhookFailures, out);
        } catch (IllegalStateException e) {
            err.println("telescale: bench airdrop-start: " + e.getMessage());
            return 1;
        }
    }

    private static Map<Long, String> codes(Database database) {
        Map<Long, String> codes = new HashMap<>();
        try (Handle handle = database.jdbi().open()) {
            handle.createQuery("SELECT user_id, referral_code FROM ad_users")
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(entry -> codes.put(entry.getKey(), entry.getValue()));
        }
        return codes;
    }

    /** [invitees with a referrer recorded, of them with the intended one, invitees without a row]. */
    private static long[] referrals(Database database, Map<Long, Long> intendedInviter) {
        Map<Long, Long> recorded = new HashMap<>();
        java.util.Set<Long> present = new java.util.HashSet<>();
        try (Handle handle = database.jdbi().open()) {
            handle.createQuery("""
                            SELECT u.user_id, r.user_id FROM ad_users u LEFT JOIN ad_users r ON r.no = u.referrer_no""")
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .forEach(row -> {
                        present.add(row[0]);
                        if (row[1] != 0) {
                            recorded.put(row[0], row[1]);
                        }
                    });
        }
        long withReferrer = 0;
        long right = 0;
        long missingRows = 0;
        for (Map.Entry<Long, Long> invitee : intendedInviter.entrySet()) {
            if (!present.contains(invitee.getKey())) {
                missingRows++;
            }
            Long referrer = recorded.get(invitee.getKey());
            if (referrer != null) {
                withReferrer++;
                if (referrer.equals(invitee.getValue())) {
                    right++;
                }
            }
        }
        return new long[] {withReferrer, right, missingRows};
    }

    private int report(RunFolder folder, LatencyRecorder recorder, double sendSeconds, long sent, long sendErrors,
                       long answered, long withinLimit, Correctness correctness, long[] referrals, Histogram webhook,
                       long webhookFailures, PrintWriter out) {
        Histogram service = recorder.deliveredToCall();
        Histogram fromBurst = recorder.plannedToCall();
        double successRate = withinLimit / (double) users;
        boolean referralsRight = referrals[0] == users && referrals[1] == users && referrals[2] == 0;
        boolean passed = correctness.clean() && sendErrors == 0 && withinLimit == users && referralsRight
                && recorder.failedCalls() == 0 && webhookFailures == 0;
        double webhookP99 = webhook == null ? Double.NaN : RunFolder.millis(webhook.getValueAtPercentile(99));
        String webhookGoal = webhook == null ? "not measured (polling)"
                : webhookP99 <= WEBHOOK_GOAL_MS ? "met" : "NOT met";

        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("users", users);
        parameters.put("inviters", inviters);
        parameters.put("limitSeconds", limitSeconds);
        ObjectNode counts = result.putObject("counts");
        counts.put("sent", sent);
        counts.put("sendErrors", sendErrors);
        counts.put("answered", answered);
        counts.put("answeredWithinLimit", withinLimit);
        counts.put("failedBotCalls", recorder.failedCalls());
        counts.put("webhookFailures", webhookFailures);
        result.put("successRate", successRate);
        result.put("secondsToSendBurst", Math.round(sendSeconds * 1000) / 1000.0);
        ObjectNode latency = result.putObject("latencyMs");
        latency.set("deliveredToAnswer", RunFolder.percentiles(service));
        latency.set("burstToAnswer", RunFolder.percentiles(fromBurst));
        if (webhook != null) {
            latency.set("webhookAnswer", RunFolder.percentiles(webhook));
            result.put("webhookGoalMs", WEBHOOK_GOAL_MS);
            result.put("webhookGoalMet", webhookP99 <= WEBHOOK_GOAL_MS);
        }
        ObjectNode referral = result.putObject("referrals");
        referral.put("invitees", users);
        referral.put("referrerRecorded", referrals[0]);
        referral.put("intendedReferrer", referrals[1]);
        referral.put("inviteesWithoutRow", referrals[2]);
        correctness.writeTo(result.putObject("correctness"));
        result.put("passed", passed);

        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "airdrop-start");
        row.put("setup", common.setupLabel());
        row.put("users", Integer.toString(users));
        row.put("success", String.format(Locale.ROOT, "%.1f %%", successRate * 100));
        row.put("p50", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(50))));
        row.put("p99", RunFolder.ms(RunFolder.millis(service.getValueAtPercentile(99))));
        row.put("p99 from burst", RunFolder.ms(RunFolder.millis(fromBurst.getValueAtPercentile(99))));
        row.put("webhook p99", webhook == null ? "-" : RunFolder.ms(webhookP99));
        row.put("referrers", referrals[1] + "/" + users);
        row.put("no answer", Long.toString(correctness.lost()));
        row.put("duplicated", Long.toString(correctness.duplicated()));
        Map<String, Histogram> curves = new LinkedHashMap<>();
        curves.put("delivery to welcome", service);
        curves.put("burst to welcome", fromBurst);
        if (webhook != null) {
            curves.put("webhook answer", webhook);
        }
        folder.write(result, row, curves);

        out.println(String.format(Locale.ROOT,
                "airdrop-start %s: %d users with referral codes of %d inviters (all /start sent in %.2f s): success %.1f %%; "
                        + "delivery to answer p50 %.2f p95 %.2f p99 %.2f max %.2f ms (from the burst: p50 %.2f p99 %.2f max %.2f ms); "
                        + "answered late %d, no answer %d, duplicated %d%s",
                common.setupLabel(), users, inviters, sendSeconds, successRate * 100,
                RunFolder.millis(service.getValueAtPercentile(50)), RunFolder.millis(service.getValueAtPercentile(95)),
                RunFolder.millis(service.getValueAtPercentile(99)), RunFolder.millis(service.getMaxValue()),
                RunFolder.millis(fromBurst.getValueAtPercentile(50)), RunFolder.millis(fromBurst.getValueAtPercentile(99)),
                RunFolder.millis(fromBurst.getMaxValue()), answered - withinLimit, correctness.lost(), correctness.duplicated(),
                sendErrors == 0 ? "" : "; " + sendErrors + " sends failed"));
        if (webhook != null) {
            out.println(String.format(Locale.ROOT,
                    "airdrop-start: webhook answer p50 %.2f p95 %.2f p99 %.2f max %.2f ms over %d POSTs (goal p99 <= %.0f ms: %s)",
                    RunFolder.millis(webhook.getValueAtPercentile(50)), RunFolder.millis(webhook.getValueAtPercentile(95)),
                    webhookP99, RunFolder.millis(webhook.getMaxValue()), webhook.getTotalCount(), WEBHOOK_GOAL_MS, webhookGoal));
        }
        out.println(String.format(Locale.ROOT,
                "airdrop-start: referrer recorded for %d of %d invitees, the intended inviter for %d, invitees without a row %d; "
                        + "failed bot calls %d, webhook failures %d",
                referrals[0], users, referrals[1], referrals[2], recorder.failedCalls(), webhookFailures));
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }
}

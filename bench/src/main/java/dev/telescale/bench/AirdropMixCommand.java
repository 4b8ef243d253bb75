package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.sim.Simulator;
import dev.telescale.runtime.storage.Database;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.jdbi.v3.core.Handle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench airdrop-mix}: the airdrop application with N users preloaded ({@link AirdropPreload}),
 * driven for a fixed time by an open loop of journeys at R per second, each on a virtual thread
 * of its own, started at its planned time whatever the bot's pace:
 * <ul>
 * <li>join (40 %): a new user sends /start (half with the referral code of a preloaded inviter);
 * four in five then verify through the Mini App API: session (initData signed with the bot's
 * token as Telegram signs it), captcha (the answer read from ad_users.captcha_answer), verify
 * (a fingerprint and client address of their own);</li>
 * <li>tasks (25 %): a preloaded verified user sends /tasks and presses the button of a task they
 * have not done (a daily check-in and a custom task, created before the run);</li>
 * <li>top (20 %): /top; balance (15 %): /balance.</li>
 * </ul>
 * Each action's latency runs from the action (the update handed to the emulator, or the HTTP
 * request sent) to the bot's reply (its sendMessage into the user's chat) or the HTTP answer.
 * Afterwards the ledger is checked exactly against what the generator did.
 */
@Command(name = "airdrop-mix", description = {"The airdrop application with N preloaded users under a mix of /start "
        + "(with referral codes), Mini App verification, task presses, /top and /balance for a fixed time.",
        "Reports p99 per action, the user cache hit rate and (with --bot-process separate) the bot's peak RSS, and checks "
                + "referral, verification, task and balance totals exactly against what the generator did. With --compare, "
                + "first the same run on 1,000 users, and the p99 ratios (goal <= 1.2). Exit code 0 when the checks pass, 1 otherwise."})
final class AirdropMixCommand implements java.util.concurrent.Callable<Integer> {
    static final double GOAL_RATIO = 1.2;
    static final List<String> ACTIONS = List.of("start", "api session", "api captcha", "api verify", "tasks", "task press",
            "top", "balance");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "1000", paramLabel = "N",
            description = "Users preloaded into the database (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "R",
            description = "Journeys started per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "TIME",
            description = "How long journeys are started, in seconds (60 or 60s) or minutes (2m) (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--simulated", defaultValue = "400", paramLabel = "P",
            description = {"Preloaded users the generator acts as, at most N: half act (the returning users), half invite "
                    + "(default: ${DEFAULT-VALUE}).", "Fewer returning users means more updates per user, so more user cache hits."})
    int simulated;

    @Option(names = "--compare", description = "First run the same mix on 1,000 preloaded users, then report the p99 ratios.")
    boolean compare;

    @Option(names = "--limit-mb", defaultValue = "256", paramLabel = "MB",
            description = "The goal for the bot's peak RSS with --bot-process separate (default: ${DEFAULT-VALUE}).")
    int limitMb;

    @Override
    public Integer call() {
        ScenarioArgs.require(spec, users >= 2 && users <= 10_000_000, "--users must be between 2 and 10000000, not " + users);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 10_000, "--rate must be between 1 and 10000, not " + rate);
        ScenarioArgs.require(spec, simulated >= 2 && simulated <= 100_000, "--simulated must be between 2 and 100000");
        int seconds = seconds(duration);
        ScenarioArgs.require(spec, seconds >= 1 && seconds <= 86_400, "--duration must be 1 s to 24 h, such as 60s, not " + duration);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        RunFolder folder = RunFolder.create(common.results, "airdrop-mix", ScenarioArgs.fromScenario(spec));
        Outcome baseline = null;
        Outcome measured;
        try {
            if (compare) {
                baseline = run(1_000, seconds, folder.dir().resolve("baseline"), err);
                out.println(baseline.line(common));
                out.flush();
            }
            measured = run(users, seconds, compare ? folder.dir().resolve("preloaded") : folder.dir(), err);
        } catch (IllegalStateException e) {
            err.println("telescale: bench airdrop-mix: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("telescale: bench airdrop-mix: interrupted");
            return 1;
        }
        boolean passed = measured.passed() && (baseline == null || baseline.passed());
        ObjectNode result = folder.newResult(common);
        ObjectNode parameters = result.putObject("parameters");
        parameters.put("users", users);
        parameters.put("rate", rate);
        parameters.put("durationSeconds", seconds);
        parameters.put("simulated", Math.min(simulated, users));
        parameters.put("limitMb", limitMb);
        measured.writeTo(result.putObject("run"));
        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", "airdrop-mix");
        row.put("setup", common.setupLabel());
        row.put("users", Integer.toString(users));
        row.put("journeys/s", Integer.toString(rate));
        for (String action : ACTIONS) {
            row.put(action + " p99", RunFolder.ms(measured.p99(action)));
        }
        row.put("cache hit", AirdropBench.percent(measured.cacheHitRate));
        row.put("peak RSS", measured.peakRssMb < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", measured.peakRssMb));
        row.put("checks", measured.passed() ? "exact" : "FAILED");
        StringBuilder ratios = new StringBuilder();
        if (baseline != null) {
            baseline.writeTo(result.putObject("baseline"));
            ObjectNode ratioNode = result.putObject("p99Ratio");
            double worst = 0;
            for (String action : ACTIONS) {
                double ratio = measured.p99(action) / Math.max(0.001, baseline.p99(action));
                ratioNode.put(action, Math.round(ratio * 100) / 100.0);
                worst = Math.max(worst, ratio);
                ratios.append(ratios.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", action, ratio));
            }
            result.put("worstP99Ratio", Math.round(worst * 100) / 100.0);
            result.put("goalRatio", GOAL_RATIO);
            result.put("goalMet", worst <= GOAL_RATIO);
            row.put("worst p99 ratio", String.format(Locale.ROOT, "%.2f", worst));
            ratios.append(String.format(Locale.ROOT, " (worst %.2f; goal <= %.1f: %s)", worst, GOAL_RATIO,
                    worst <= GOAL_RATIO ? "met" : "NOT met"));
        }
        result.put("passed", passed);
        Map<String, Histogram> curves = new LinkedHashMap<>();
        for (String action : ACTIONS) {
            curves.put(action, measured.latency.get(action));
        }
        folder.write(result, row, curves);
        out.println(measured.line(common));
        if (baseline != null) {
            out.println("airdrop-mix: p99 ratio, " + users + " against 1000 preloaded users: " + ratios);
        }
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }

    static int seconds(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("m")) {
                return Integer.parseInt(t.substring(0, t.length() - 1)) * 60;
            }
            return Integer.parseInt(t.endsWith("s") ? t.substring(0, t.length() - 1) : t);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A preloaded, verified user the generator acts as; one journey at a time. */
    private static final class Actor {
        final long id;
        boolean checkedIn;
        boolean didCustom;

        Actor(long id) {
            this.id = id;
        }
    }

    /** A preloaded inviter whose code new users start with. */
    private record Inviter(long id, String code, boolean hasReferrer) {
    }

    /** What one run did and found. */
    static final class Outcome {
        final int users;
        final Map<String, SynchronizedHistogram> latency = new LinkedHashMap<>();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final LongAdder journeys = new LongAdder();
        final LongAdder skipped = new LongAdder();
        final LongAdder joined = new LongAdder();
        final LongAdder verified = new LongAdder();
        final LongAdder invitedVerified = new LongAdder();
        final LongAdder secondLevel = new LongAdder();
        final LongAdder checkins = new LongAdder();
        final LongAdder customTasks = new LongAdder();
        double preloadSeconds;
        double seconds;
        long referralRows;
        long referral2Rows;
        long verifyRows;
        long verifiedNewUsers;
        long checkinRows;
        long taskRows;
        long balanceMismatches;
        long verifiedWithoutCredit;
        long failedBotCalls;
        long unawaitedMessages;
        double cacheHitRate = Double.NaN;
        double l1HitRate = Double.NaN;
        long cacheLookups;
        long cacheHits;
        double peakRssMb = -1;
        int limitMb;
        String setup;

        Outcome(int users) {
            this.users = users;
            for (String action : ACTIONS) {
                latency.put(action, new SynchronizedHistogram(LatencyRecorder.HIGHEST_MICROS, 3));
                failures.put(action, new LongAdder());
            }
        }

        void record(String action, long micros) {
            latency.get(action).recordValue(Math.max(0, Math.min(LatencyRecorder.HIGHEST_MICROS, micros)));
        }

        void fail(String action) {
            failures.get(action).increment();
        }

        double p99(String action) {
            return RunFolder.millis(latency.get(action).getValueAtPercentile(99));
        }

        long totalFailures() {
            return failures.values().stream().mapToLong(LongAdder::sum).sum();
        }

        /** Hits among the lookups of users the cache could know: every new user's /start is a miss by nature. */
        double returningHitRate() {
            long returning = cacheLookups - joined.sum();
            return returning <= 0 ? Double.NaN : cacheHits / (double) returning;
        }

        boolean rssWithinGoal() {
            return peakRssMb < 0 || peakRssMb <= limitMb;
        }

        boolean checksExact() {
            return referralRows == invitedVerified.sum() && referral2Rows == secondLevel.sum() && verifyRows == verified.sum()
                    && verifiedNewUsers == verified.sum() && checkinRows == checkins.sum() && taskRows == customTasks.sum()
                    && balanceMismatches == 0 && verifiedWithoutCredit == 0;
        }

        boolean passed() {
            return checksExact() && totalFailures() == 0 && failedBotCalls == 0 && rssWithinGoal();
        }

        void writeTo(ObjectNode node) {
            node.put("users", users);
            node.put("preloadSeconds", Math.round(preloadSeconds * 10) / 10.0);
            node.put("seconds", Math.round(seconds * 10) / 10.0);
            node.put("journeys", journeys.sum());
            node.put("journeysSkippedNoIdleUser", skipped.sum());
            ObjectNode latencyNode = node.putObject("latencyMs");
            for (String action : ACTIONS) {
                latencyNode.set(action, RunFolder.percentiles(latency.get(action)));
            }
            ObjectNode failureNode = node.putObject("failures");
            failures.forEach((action, count) -> failureNode.put(action, count.sum()));
            ObjectNode checks = node.putObject("checks");
            checks.put("joined", joined.sum());
            checks.put("verified", verified.sum());
            checks.put("verifiedNewUsersInDatabase", verifiedNewUsers);
            checks.put("verifyLedgerRows", verifyRows);
            checks.put("invitedVerified", invitedVerified.sum());
            checks.put("referralLedgerRows", referralRows);
            checks.put("secondLevelExpected", secondLevel.sum());
            checks.put("referral2LedgerRows", referral2Rows);
            checks.put("checkinsPressed", checkins.sum());
            checks.put("checkinLedgerRows", checkinRows);
            checks.put("customTasksPressed", customTasks.sum());
            checks.put("taskLedgerRows", taskRows);
            checks.put("usersWhosePointsDifferFromTheirLedger", balanceMismatches);
            checks.put("verifiedUsersWithoutVerifyCredit", verifiedWithoutCredit);
            checks.put("failedBotCalls", failedBotCalls);
            checks.put("exact", checksExact());
            node.put("unawaitedBotMessages", unawaitedMessages);
            node.put("userCacheLookups", cacheLookups);
            node.put("userCacheHitRate", Double.isNaN(cacheHitRate) ? null : cacheHitRate);
            node.put("userCacheL1HitRate", Double.isNaN(l1HitRate) ? null : l1HitRate);
            node.put("userCacheHitRateReturningUsers", Double.isNaN(returningHitRate()) ? null : returningHitRate());
            if (peakRssMb >= 0) {
                node.put("botPeakRssMb", Math.round(peakRssMb * 10) / 10.0);
                node.put("rssGoalMet", rssWithinGoal());
            }
            node.put("passed", passed());
        }

        String line(CommonOptions common) {
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                    "airdrop-mix %s: %d users preloaded in %.1f s; %d journeys in %.1f s (%d skipped); p99 per action:",
                    setup, users, preloadSeconds, journeys.sum(), seconds, skipped.sum()));
            for (String action : ACTIONS) {
                Histogram h = latency.get(action);
                text.append(String.format(Locale.ROOT, " %s %.2f ms (n=%d)%s;", action, p99(action), h.getTotalCount(),
                        failures.get(action).sum() == 0 ? "" : " FAILED " + failures.get(action).sum()));
            }
            text.append(String.format(Locale.ROOT,
                    " checks: referral credits %d for %d verified invitees (%d missing, %d extra), second level %d/%d, "
                            + "verify credits %d/%d (new users verified in the database %d), check-ins %d/%d, custom tasks %d/%d, "
                            + "users whose points differ from their ledger %d, verified without a verify credit %d, "
                            + "failed bot calls %d: %s;",
                    referralRows, invitedVerified.sum(), Math.max(0, invitedVerified.sum() - referralRows),
                    Math.max(0, referralRows - invitedVerified.sum()), referral2Rows, secondLevel.sum(), verifyRows,
                    verified.sum(), verifiedNewUsers, checkinRows, checkins.sum(), taskRows, customTasks.sum(),
                    balanceMismatches, verifiedWithoutCredit, failedBotCalls, checksExact() ? "exact" : "NOT exact"));
            text.append(String.format(Locale.ROOT, " user cache hit rate %s (L1 %s) of %d lookups, %s leaving out the %d new users' "
                            + "first update (a miss by nature);",
                    AirdropBench.percent(cacheHitRate), AirdropBench.percent(l1HitRate), cacheLookups,
                    AirdropBench.percent(returningHitRate()), joined.sum()));
            text.append(peakRssMb < 0 ? " bot RSS not measured (--bot-process separate measures it)"
                    : String.format(Locale.ROOT, " bot process peak RSS %.1f MB (goal <= %d MB: %s)", peakRssMb, limitMb,
                            rssWithinGoal() ? "met" : "NOT met"));
            return text.toString();
        }
    }

    private Outcome run(int n, int seconds, java.nio.file.Path dir, PrintWriter err) throws InterruptedException {
        Outcome outcome = new Outcome(n);
        outcome.limitMb = limitMb;
        outcome.setup = common.setupLabel();
        int p = Math.min(simulated, n);
        int active = Math.max(1, p / 2);
        List<Long> simulatedIds = new ArrayList<>(p);
        AirdropPreload.Layout[] layout = new AirdropPreload.Layout[1];
        try {
            java.nio.file.Files.createDirectories(dir);   // on PostgreSQL no database file creates it
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        err.println("[airdrop-mix] preloading " + n + " users...");
        err.flush();
        try (BenchStack stack = BenchStack.start(common, dir, 100, BenchStack.App.AIRDROP, (emulator, config, env) -> {
            Simulator sim = emulator.sim();
            for (int k = 0; k < p; k++) {
                long id = sim.createUser("Sim" + k, null, null, "en", false).id();
                sim.markStarted(id, BenchStack.BOT_ID);
                simulatedIds.add(id);
            }
            BenchStack.migrated(config, BenchStack.App.AIRDROP, env, database -> layout[0] = AirdropPreload.users(database, n,
                    simulatedIds, active, BenchStack.BOT_ID));
        }); Database database = stack.openDatabase()) {
            outcome.preloadSeconds = layout[0].seconds();
            Simulator sim = stack.emulator().sim();
            AirdropBench.Replies replies = new AirdropBench.Replies(BenchStack.BOT_ID);
            stack.emulator().state().trace().subscribe(replies);
            long[] taskIds = createTasks(database);
            ConcurrentLinkedQueue<Actor> idle = new ConcurrentLinkedQueue<>();
            for (int k = 0; k < active; k++) {
                idle.add(new Actor(simulatedIds.get(k)));
            }
            List<Inviter> inviters = new ArrayList<>();
            for (int k = active; k < p; k++) {
                inviters.add(new Inviter(simulatedIds.get(k), layout[0].simulatedCode()[k], layout[0].referrerNo()[k] != 0));
            }
            if (inviters.isEmpty()) {
                inviters.add(new Inviter(simulatedIds.get(0), layout[0].simulatedCode()[0], false));
            }
            AirdropBench.MiniApi api = new AirdropBench.MiniApi(stack.httpPort());
            Map<String, long[]> cacheBefore = AirdropBench.cacheLookups(stack.httpPort());
            long runStartMillis = System.currentTimeMillis() - 1;
            AtomicLong newUsers = new AtomicLong();
            LatencyRecorder recorder = stack.recorder();
            long total = (long) rate * seconds;
            long startNanos = System.nanoTime() + 50_000_000L;
            double interval = 1e9 / rate;
            SplittableRandom random = new SplittableRandom(42);
            try (Progress progress = new Progress("airdrop-mix " + n, err, outcome.journeys::sum, recorder);
                 ExecutorService journeys = Executors.newVirtualThreadPerTaskExecutor()) {
                for (long i = 0; i < total; i++) {
                    long planned = startNanos + (long) (i * interval);
                    for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    int roll = random.nextInt(100);
                    long seed = random.nextLong();
                    outcome.journeys.increment();
                    if (roll < 40) {
                        long number = newUsers.incrementAndGet();
                        journeys.execute(() -> join(sim, api, database, replies, inviters, number, seed, outcome));
                    } else {
                        Actor actor = idle.poll();
                        if (actor == null) {
                            outcome.skipped.increment();
                            continue;
                        }
                        String kind = roll < 65 ? "tasks" : roll < 85 ? "top" : "balance";
                        journeys.execute(() -> {
                            try {
                                act(sim, replies, actor, kind, taskIds, outcome);
                            } finally {
                                idle.add(actor);
                            }
                        });
                    }
                }
                journeys.shutdown();
                journeys.awaitTermination(5, TimeUnit.MINUTES);
            }
            outcome.seconds = (System.nanoTime() - startNanos) / 1e9;
            BenchStack.sleep(Duration.ofMillis(500));
            Map<String, long[]> cacheAfter = AirdropBench.cacheLookups(stack.httpPort());
            outcome.cacheHitRate = AirdropBench.cacheHitRate(cacheBefore, cacheAfter);
            outcome.l1HitRate = AirdropBench.tierHitRate(cacheBefore, cacheAfter, "l1");
            outcome.cacheLookups = AirdropBench.delta(cacheBefore, cacheAfter, "l1", 1);
            outcome.cacheHits = AirdropBench.delta(cacheBefore, cacheAfter, "l1", 0)
                    + AirdropBench.delta(cacheBefore, cacheAfter, "l2", 0);
            outcome.failedBotCalls = replies.failedCalls.sum();
            outcome.unawaitedMessages = replies.unawaited.sum();
            stack.separateBot().ifPresent(bot -> outcome.peakRssMb = bot.memory().peakKb() / 1024.0);
            outcome.referralRows = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_ledger WHERE kind = 'referral' AND created_at >= ?", runStartMillis);
            outcome.referral2Rows = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_ledger WHERE kind = 'referral2' AND created_at >= ?", runStartMillis);
            outcome.verifyRows = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_ledger WHERE kind = 'verify' AND created_at >= ?", runStartMillis);
            outcome.verifiedNewUsers = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_users WHERE status = 'verified' AND created_at >= ?", runStartMillis);
            outcome.checkinRows = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_ledger WHERE kind = 'checkin' AND created_at >= ?", runStartMillis);
            outcome.taskRows = AirdropBench.count(database,
                    "SELECT count(*) FROM ad_ledger WHERE kind = 'task' AND created_at >= ?", runStartMillis);
            outcome.balanceMismatches = AirdropBench.balanceMismatches(database);
            outcome.verifiedWithoutCredit = AirdropBench.verifiedWithoutCredit(database);
        } finally {
            deleteSqlite(dir, n);
        }
        return outcome;
    }

    /** A daily check-in and a custom task, as an operator would create them in the admin panel. */
    private static long[] createTasks(Database database) {
        long now = System.currentTimeMillis();
        try (Handle handle = database.jdbi().open()) {
            long checkin = handle.createUpdate("""
                            INSERT INTO ad_tasks (kind, title, points, position, created_at) VALUES ('checkin', 'Daily check-in', 10, 1, :now)""")
                    .bind("now", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            long custom = handle.createUpdate("""
                            INSERT INTO ad_tasks (kind, title, points, url, position, created_at)
                            VALUES ('custom', 'Visit the site', 25, 'https://example.org/', 2, :now)""")
                    .bind("now", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return new long[] {checkin, custom};
        }
    }

    /** A new user: /start (maybe with an inviter's code), then (four in five) verification in the Mini App. */
    private static void join(Simulator sim, AirdropBench.MiniApi api, Database database, AirdropBench.Replies replies,
                             List<Inviter> inviters, long number, long seed, Outcome outcome) {
        SplittableRandom random = new SplittableRandom(seed);
        Inviter inviter = random.nextInt(2) == 0 ? inviters.get(random.nextInt(inviters.size())) : null;
        boolean verify = random.nextInt(5) != 0;
        try {
            long user = sim.createUser("Join" + number, null, null, "en", false).id();
            outcome.joined.increment();
            long[] reply = say(sim, replies, user, inviter == null ? "/start" : "/start " + inviter.code());
            if (reply == null) {
                outcome.fail("start");
                return;
            }
            outcome.record("start", reply[0]);
            if (!verify) {
                return;
            }
            String address = "172." + (16 + (number >> 16 & 15)) + "." + (number >> 8 & 255) + "." + (number & 255);
            ObjectNode session = AirdropBench.MiniApi.object().put("init_data", AirdropBench.initData(BenchStack.TOKEN, user,
                    "Join" + number, null, System.currentTimeMillis() / 1000, "AAq" + number));
            AirdropBench.Answer opened = api.post("session", session, null, address);
            if (!opened.ok()) {
                outcome.fail("api session");
                return;
            }
            outcome.record("api session", opened.micros());
            String token = opened.body().path("session").asText();
            AirdropBench.Answer captcha = api.post("captcha", AirdropBench.MiniApi.object(), token, address);
            if (!captcha.ok()) {
                outcome.fail("api captcha");
                return;
            }
            outcome.record("api captcha", captcha.micros());
            String answer;
            try (Handle handle = database.jdbi().open()) {
                answer = handle.createQuery("SELECT captcha_answer FROM ad_users WHERE user_id = :id").bind("id", user)
                        .mapTo(String.class).findOne().orElse("");
            }
            ObjectNode body = AirdropBench.MiniApi.object().put("answer", answer)
                    .put("fingerprint", String.format("%016x", 0xf00d000000000000L + number));
            AirdropBench.Answer verified = api.post("verify", body, token, address);
            if (!verified.ok() || !"verified".equals(verified.body().path("status").asText())) {
                outcome.fail("api verify");
                return;
            }
            outcome.record("api verify", verified.micros());
            outcome.verified.increment();
            if (inviter != null) {
                outcome.invitedVerified.increment();
                if (inviter.hasReferrer()) {
                    outcome.secondLevel.increment();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            outcome.fail("start");
        }
    }

    /** A preloaded verified user: /tasks and a press of a task not done yet, or /top, or /balance. */
    private static void act(Simulator sim, AirdropBench.Replies replies, Actor actor, String kind, long[] taskIds,
                            Outcome outcome) {
        try {
            switch (kind) {
                case "tasks" -> {
                    long[] list = say(sim, replies, actor.id, "/tasks");
                    if (list == null) {
                        outcome.fail("tasks");
                        return;
                    }
                    outcome.record("tasks", list[0]);
                    long task;
                    if (!actor.checkedIn) {
                        task = taskIds[0];
                    } else if (!actor.didCustom) {
                        task = taskIds[1];
                    } else {
                        return;
                    }
                    CompletableFuture<long[]> reply = replies.expect(actor.id);
                    long at = sim.state().trace().nowMicros();
                    sim.press(actor.id, BenchStack.BOT_ID, 0, (int) list[1], "task:" + task, null);
                    long[] done = AirdropBench.await(reply, REPLY_TIMEOUT);
                    if (done == null) {
                        outcome.fail("task press");
                        return;
                    }
                    outcome.record("task press", done[0] - at);
                    if (task == taskIds[0]) {
                        actor.checkedIn = true;
                        outcome.checkins.increment();
                    } else {
                        actor.didCustom = true;
                        outcome.customTasks.increment();
                    }
                }
                case "top", "balance" -> {
                    long[] reply = say(sim, replies, actor.id, "/" + kind);
                    if (reply == null) {
                        outcome.fail(kind);
                    } else {
                        outcome.record(kind, reply[0]);
                    }
                }
                default -> throw new IllegalArgumentException(kind);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            outcome.fail(kind);
        }
    }

    /** Sends a text and waits for the bot's reply: [µs from the send to the reply, the reply's message id], or null. */
    private static long[] say(Simulator sim, AirdropBench.Replies replies, long user, String text) throws InterruptedException {
        CompletableFuture<long[]> reply = replies.expect(user);
        long at = sim.state().trace().nowMicros();
        try {
            sim.send(user, BenchStack.BOT_ID, 0, dev.telescale.emulator.api.Json.object().put("text", text));
        } catch (RuntimeException e) {
            replies.cancel(user);
            throw e;
        }
        long[] answer = AirdropBench.await(reply, REPLY_TIMEOUT);
        if (answer == null) {
            replies.cancel(user);
            return null;
        }
        return new long[] {answer[0] - at, answer[1]};
    }

    private void deleteSqlite(java.nio.file.Path dir, int n) {
        if (common.database != null || n < 100_000) {
            return;
        }
        for (String name : List.of("bench.db", "bench.db-wal", "bench.db-shm")) {
            try {
                java.nio.file.Files.deleteIfExists(dir.resolve(name));
            } catch (java.io.IOException e) {
                // a large file left behind; not a result
            }
        }
    }
}

package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code bench big-data}: search-churn on a database that already holds N registered, onboarded
 * users who are not searching ({@link Preload}), against the same churn on an empty database in
 * the same invocation, so both runs share the machine's state of the moment (it is shared and
 * noisy). Each run has its own fresh stack and database; the preload is written after the
 * migrations and before the bot starts. Issue 5's goal: p99 time to match with the preload at
 * most 1.2 times that of the baseline.
 */
@Command(name = "big-data", description = {"search-churn twice in one invocation: first with only its U users "
        + "(the baseline, unless --no-baseline), then after preloading N registered, onboarded users (not searching) "
        + "straight into the database. Reports the preload time, both runs' figures and the ratio of their p99 time to "
        + "match against issue 5's goal (at most 1.2).",
        "Exit code 0 when both runs' matches are all correct (the goal does not change it), 1 otherwise."})
final class BigDataCommand implements java.util.concurrent.Callable<Integer> {
    static final double GOAL_RATIO = 1.2;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--preload", defaultValue = "1000000", paramLabel = "N",
            description = "Registered users written into the database before the second run (default: ${DEFAULT-VALUE}).")
    int preload;

    @Option(names = "--users", defaultValue = "1000", paramLabel = "U",
            description = "Users pressing /next in each run, half on each bot (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "R",
            description = "Presses per second, all users together (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS",
            description = "Seconds of pressing in each run (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--no-baseline", description = "Only the run with the preload (no ratio).")
    boolean noBaseline;

    @Override
    public Integer call() {
        SearchChurn.Settings settings = SearchChurnCommand.validated(spec, users, rate, duration);
        ScenarioArgs.require(spec, preload >= 1 && preload <= 100_000_000, "--preload must be between 1 and 100000000, not " + preload);
        RunFolder folder = RunFolder.create(common.results, "big-data", ScenarioArgs.fromScenario(spec));
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        SearchChurn.Outcome baseline = null;
        SearchChurn.Outcome preloaded;
        double[] preloadSeconds = new double[1];
        try {
            if (!noBaseline) {
                try (BenchStack stack = BenchStack.start(common, folder.dir().resolve("baseline"), 1_000,
                        BenchStack.App.ANONCHAT)) {
                    baseline = SearchChurn.run("big-data baseline", stack, settings, err);
                }
                out.println("big-data " + common.setupLabel() + " baseline: " + baseline.figures());
                out.flush();
            }
            err.println("[big-data] preloading " + preload + " users...");
            err.flush();
            try (BenchStack stack = BenchStack.start(common, folder.dir().resolve("preloaded"), 1_000,
                    BenchStack.App.ANONCHAT, (emulator, config, env) -> BenchStack.migrated(config, BenchStack.App.ANONCHAT,
                            env, database -> preloadSeconds[0] = Preload.users(database, preload,
                                    BenchStack.CHAT_BOT_A, BenchStack.CHAT_BOT_B)))) {
                preloaded = SearchChurn.run("big-data preloaded", stack, settings, err);
            } finally {
                deletePreloadedSqlite(folder.dir().resolve("preloaded"));
            }
        } catch (IllegalStateException e) {
            err.println("telescale: bench big-data: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("telescale: bench big-data: interrupted");
            return 1;
        }
        boolean passed = preloaded.passed() && (baseline == null || baseline.passed());
        double p99Ratio = baseline == null ? Double.NaN : ratio(preloaded.timeToMatch(), baseline.timeToMatch());
        double completionRatio = baseline == null ? Double.NaN
                : ratio(preloaded.pairCompletion(), baseline.pairCompletion());

        ObjectNode result = folder.newResult(common);
        result.put("preload", preload);
        result.put("preloadSeconds", Math.round(preloadSeconds[0] * 100) / 100.0);
        if (baseline != null) {
            baseline.writeTo(result.putObject("baseline"));
            result.put("p99TimeToMatchRatio", Math.round(p99Ratio * 1000) / 1000.0);
            result.put("p99PairCompletionRatio", Math.round(completionRatio * 1000) / 1000.0);
            result.put("goalRatio", GOAL_RATIO);
            result.put("goalMet", p99Ratio <= GOAL_RATIO);
        }
        preloaded.writeTo(result.putObject("preloaded"));
        result.put("passed", passed);
        Map<String, String> row = SearchChurnCommand.row("big-data", common, preloaded);
        row.put("preload", Integer.toString(preload));
        row.put("preload s", String.format(Locale.ROOT, "%.1f", preloadSeconds[0]));
        if (baseline != null) {
            row.put("baseline p99", RunFolder.ms(SearchChurn.Outcome.ms(baseline.timeToMatch(), 99)));
            row.put("p99 ratio", String.format(Locale.ROOT, "%.2f", p99Ratio));
        }
        Map<String, Histogram> curves = new LinkedHashMap<>();
        if (baseline != null) {
            curves.put("time to match, " + users + " users", baseline.timeToMatch());
        }
        curves.put("time to match, " + preload + " more preloaded", preloaded.timeToMatch());
        folder.write(result, row, curves);

        out.println(String.format(Locale.ROOT, "big-data %s preloaded: %d users preloaded in %.1f s; %s",
                common.setupLabel(), preload, preloadSeconds[0], preloaded.figures()));
        if (baseline != null) {
            out.println(String.format(Locale.ROOT,
                    "big-data: p99 time to match %.2f ms against %.2f ms without the preload: ratio %.2f (goal <= %.1f: %s); "
                            + "pair completion p99 ratio %.2f",
                    SearchChurn.Outcome.ms(preloaded.timeToMatch(), 99), SearchChurn.Outcome.ms(baseline.timeToMatch(), 99),
                    p99Ratio, GOAL_RATIO, p99Ratio <= GOAL_RATIO ? "met" : "NOT met", completionRatio));
        }
        out.println((passed ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return passed ? 0 : 1;
    }

    /** The SQLite file with the preload is large (about 160 MB for a million users) and not a result. */
    private void deletePreloadedSqlite(Path dir) {
        if (common.database != null) {
            return;
        }
        for (String name : List.of("bench.db", "bench.db-wal", "bench.db-shm")) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                spec.commandLine().getErr().println("telescale: bench big-data: could not delete " + dir.resolve(name));
            }
        }
    }

    private static double ratio(Histogram measured, Histogram baseline) {
        return measured.getValueAtPercentile(99) / (double) Math.max(1, baseline.getValueAtPercentile(99));
    }
}

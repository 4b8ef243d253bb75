package dev.telescale.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench search-churn}: users of the anonymous chat on two bots press /next in a loop
 * ({@link SearchChurn}); reports matches per second and the time to match, and checks that every
 * match was told to both sides, once, and that both sides agree on it.
 */
@Command(name = "search-churn", description = {"U anonymous chat users, alternately on two bots, press /search or /next "
        + "at R presses/s in total for T s (open loop over the users who are ready: idle, or in a confirmed chat); "
        + "on each match both sides say hello, which confirms who was matched with whom. Onboarding is not measured.",
        "Reports matches/s, the time from the delivery of a user's /search or /next to their \"Partner found\" "
        + "(p50/p95/p99/max), and matches not told to both sides, told twice, or not agreed on. "
        + "Exit code 0 when there are none, 1 otherwise."})
final class SearchChurnCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--users", defaultValue = "200", paramLabel = "U",
            description = {"Users pressing /next, half on each bot (default: ${DEFAULT-VALUE}).",
                    "A user presses again about U/R seconds after its last match was confirmed."})
    int users;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "R",
            description = "Presses (/search or /next) per second, all users together (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS",
            description = "Seconds of pressing (default: ${DEFAULT-VALUE}).")
    int duration;

    @Override
    public Integer call() {
        SearchChurn.Settings settings = validated(spec, users, rate, duration);
        RunFolder folder = RunFolder.create(common.results, "search-churn", ScenarioArgs.fromScenario(spec));
        PrintWriter err = spec.commandLine().getErr();
        SearchChurn.Outcome outcome;
        try (BenchStack stack = BenchStack.start(common, folder.dir(), 1_000, BenchStack.App.ANONCHAT)) {
            outcome = SearchChurn.run("search-churn", stack, settings, err);
        } catch (IllegalStateException e) {
            err.println("telescale: bench search-churn: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("telescale: bench search-churn: interrupted");
            return 1;
        }
        ObjectNode result = folder.newResult(common);
        outcome.writeTo(result);
        folder.write(result, row("search-churn", common, outcome), curves(outcome));
        PrintWriter out = spec.commandLine().getOut();
        out.println("search-churn " + common.setupLabel() + ": " + outcome.figures());
        out.println((outcome.passed() ? "PASSED" : "FAILED") + "; results in " + folder.dir());
        out.flush();
        return outcome.passed() ? 0 : 1;
    }

    /** The options search-churn and big-data share, checked (one-line errors, exit code 2). */
    static SearchChurn.Settings validated(CommandSpec spec, int users, int rate, int duration) {
        ScenarioArgs.require(spec, users >= 2 && users <= 100_000, "--users must be between 2 and 100000, not " + users);
        ScenarioArgs.require(spec, rate >= 1 && rate <= 10_000, "--rate must be between 1 and 10000, not " + rate);
        ScenarioArgs.require(spec, duration >= 1 && duration <= 3_600, "--duration must be 1-3600 seconds, not " + duration);
        return new SearchChurn.Settings(users, rate, duration);
    }

    /** result.md's row for one churn run. */
    static Map<String, String> row(String scenario, CommonOptions common, SearchChurn.Outcome outcome) {
        Histogram timeToMatch = outcome.timeToMatch();
        Map<String, String> row = new LinkedHashMap<>();
        row.put("scenario", scenario);
        row.put("setup", common.setupLabel());
        row.put("users", Integer.toString(outcome.settings().users()));
        row.put("presses/s offered", Integer.toString(outcome.settings().rate()));
        row.put("seconds", Integer.toString(outcome.settings().durationSeconds()));
        row.put("matches/s", String.format(Locale.ROOT, "%.1f", outcome.matchesPerSecond()));
        row.put("p50", RunFolder.ms(SearchChurn.Outcome.ms(timeToMatch, 50)));
        row.put("p95", RunFolder.ms(SearchChurn.Outcome.ms(timeToMatch, 95)));
        row.put("p99", RunFolder.ms(SearchChurn.Outcome.ms(timeToMatch, 99)));
        row.put("max", RunFolder.ms(RunFolder.millis(timeToMatch.getMaxValue())));
        row.put("pair completion p99", RunFolder.ms(SearchChurn.Outcome.ms(outcome.pairCompletion(), 99)));
        row.put("unconfirmed", Long.toString(outcome.checks().unconfirmed()));
        row.put("asymmetric", Long.toString(outcome.checks().asymmetric()));
        row.put("double-matched", Long.toString(outcome.checks().doubleMatched()));
        return row;
    }

    static Map<String, Histogram> curves(SearchChurn.Outcome outcome) {
        Map<String, Histogram> curves = new LinkedHashMap<>();
        curves.put("time to match", outcome.timeToMatch());
        curves.put("pair completion", outcome.pairCompletion());
        return curves;
    }
}

package dev.telescale.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code telescale bench <scenario>}: the load harness. Each scenario runs the emulator and a
 * Telescale runtime hosting the echo bot (relay, flood, search-churn, big-data, memory: the anonymous
 * chat on two bots) in this process (or in a child JVM, {@link BotProcess}),
 * drives simulated users at open-loop rates, and writes its results under {@code results/<scenario>-<timestamp>/}. Exit code 0 when
 * the run's correctness checks pass, 1 when they do not, 2 for bad options.
 */
@Command(name = "bench",        description = {"Load harness: runs the Bot API emulator and a Telescale instance (the echo bot; for relay, flood, "
                + "search-churn, big-data and memory, the anonymous chat on two bots; for airdrop-start and airdrop-mix, the airdrop "
                + "application) in this process (or, with "
                + "--bot-process separate, in a child JVM whose resident memory is reported; memory always does so), "
                + "drives simulated users through the emulator and reports latency, throughput and correctness.",
                "Each run writes results/<scenario>-<timestamp>/: result.json, result.md and latency.svg. "
                + "Exit code 0 when the run's correctness checks pass, 1 when not, 2 for bad options."},
        synopsisSubcommandLabel = "SCENARIO",
        commandListHeading = "%nScenarios:%n",
        subcommands = {StartBurstCommand.class, CeilingCommand.class, RelayCommand.class, FloodCommand.class,
                SearchChurnCommand.class, BigDataCommand.class, MemoryCommand.class, AirdropStartCommand.class,
                AirdropMixCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Without a scenario: show the scenarios, and count it as a usage error. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.usage(commandLine.getErr());
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }
}

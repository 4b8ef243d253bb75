package dev.telescale.bench;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Small helpers the scenario commands share: the command line as typed, option checks. */
final class ScenarioArgs {
    private ScenarioArgs() {
    }

    /** The arguments from the scenario's name on, as the user typed them. */
    static List<String> fromScenario(CommandSpec spec) {
        List<String> original = spec.root().commandLine().getParseResult().originalArgs();
        int at = original.indexOf(spec.name());
        return at < 0 ? original : original.subList(at, original.size());
    }

    static void require(CommandSpec spec, boolean condition, String problem) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), problem);
        }
    }
}

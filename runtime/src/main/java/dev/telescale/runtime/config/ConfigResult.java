package dev.telescale.runtime.config;

import java.util.List;

/** What {@link ConfigLoader#load} found: a valid configuration, or every problem, one line each. */
public sealed interface ConfigResult permits ConfigResult.Valid, ConfigResult.Invalid {

    record Valid(TelescaleConfig config) implements ConfigResult {
    }

    /** @param problems one line each, in the order of docs/configuration.md; never quoting a secret */
    record Invalid(List<String> problems) implements ConfigResult {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid configuration has at least one problem");
            }
        }
    }
}

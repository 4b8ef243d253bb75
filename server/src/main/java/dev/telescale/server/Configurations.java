package dev.telescale.server;

import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loads the configuration from the environment and ./.env, printing one line per problem. */
final class Configurations {
    private Configurations() {
    }

    /** The configuration, or null after the problems were printed. */
    static TelescaleConfig load(PrintWriter err) {
        return load(System.getenv(), err);
    }

    /** The configuration from the given environment (and ./.env), or null after the problems were printed. */
    static TelescaleConfig load(java.util.Map<String, String> environment, PrintWriter err) {
        return switch (ConfigLoader.load(environment, Path.of(".env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> {
                invalid.problems().forEach(problem -> err.println("telescale: " + problem));
                err.flush();
                yield null;
            }
        };
    }
}

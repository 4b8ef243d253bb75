package dev.telescale.bench;

import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;

/**
 * The bot side of {@code --bot-process separate}: a main class that runs, in a JVM of its own,
 * the same Telescale runtime and application {@link BenchStack} runs in the harness's JVM,
 * configured only by its environment ({@code BENCH_APP} names the application; the rest is the
 * runtime's usual variables, pointed at the harness's emulator).
 *
 * <p>Lifecycle: it stops when its standard input reaches end of file, which happens when the
 * harness closes the pipe and also when the harness dies in any way (even SIGKILL, where no
 * shutdown hook runs), so it cannot outlive the harness; SIGTERM stops the runtime through a
 * shutdown hook. Started by {@link SeparateBot}.
 */
public final class BotProcess {
    /** The environment variable naming the application: a {@link BenchStack.App} constant. */
    static final String APP_VARIABLE = "BENCH_APP";

    private BotProcess() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        BenchStack.App app = BenchStack.App.valueOf(env.getOrDefault(APP_VARIABLE, BenchStack.App.ECHO.name()));
        BenchStack.setLogLevel(env.getOrDefault("LOG_LEVEL", "WARN"));
        TelescaleConfig config = switch (ConfigLoader.load(env, Path.of("/nonexistent"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> {
                System.err.println("bot process: invalid configuration: " + String.join("; ", invalid.problems()));
                System.exit(2);
                throw new IllegalStateException("unreachable");
            }
        };
        TelescaleRuntime runtime = TelescaleRuntime.start(config, BenchStack.applications(app, env), InstantSource.system());
        Thread stop = new Thread(runtime::close, "bot-process-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        awaitEndOfInput(System.in);
        Runtime.getRuntime().removeShutdownHook(stop);
        runtime.close();
        System.exit(0);
    }

    private static void awaitEndOfInput(InputStream in) throws IOException {
        byte[] buffer = new byte[64];
        while (in.read(buffer) >= 0) {
            // the harness sends nothing; only the end of the stream matters
        }
    }
}

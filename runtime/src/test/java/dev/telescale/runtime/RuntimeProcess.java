package dev.telescale.runtime;

import dev.telescale.runtime.config.ConfigLoader;
import dev.telescale.runtime.config.ConfigResult;
import dev.telescale.runtime.config.TelescaleConfig;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;

/**
 * A Telescale instance in its own JVM for the crash and multi-instance tests: configured from its
 * environment, hosting the recording application, printing READY when started. Killed with
 * SIGKILL by the tests.
 */
public final class RuntimeProcess {
    private RuntimeProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        TelescaleConfig config = switch (ConfigLoader.load(System.getenv(), Path.of("/nonexistent/.env"))) {
            case ConfigResult.Valid valid -> valid.config();
            case ConfigResult.Invalid invalid -> {
                invalid.problems().forEach(System.err::println);
                System.exit(2);
                yield null;
            }
        };
        RecordingApplication app = new RecordingApplication();
        TelescaleRuntime runtime = TelescaleRuntime.start(config, Map.of(app.name(), app), InstantSource.system());
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close));
        System.out.println("READY " + config.instanceId());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Starts one in a child JVM with the test classpath. */
    static Process spawn(Map<String, String> env, Path log) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                RuntimeProcess.class.getName());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }
}

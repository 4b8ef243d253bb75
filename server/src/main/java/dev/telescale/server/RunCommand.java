package dev.telescale.server;

import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.config.TelescaleConfig;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code telescale run}: the bot runtime with the configured bots, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the bots named in BOT_TOKENS (environment or ./.env; see docs/configuration.md).",
                "Without DATABASE_URL and REDIS_URL it runs on an embedded SQLite file under ./data and in-process state.",
                "Without BOT_TOKENS it runs a demo: the anonymous chat on two bots sharing one matching pool, on a built-in",
                "Telegram emulator, with a browser sandbox and the admin dashboard."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--demo-port", defaultValue = "8081",
            description = "Where the demo's built-in Telegram emulator listens when BOT_TOKENS is empty (default: ${DEFAULT-VALUE}).")
    int demoPort;

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        TelescaleConfig config = Configurations.load(err);
        if (config == null) {
            return 2;
        }
        LoggingSetup.apply(config.logging());
        CountDownLatch stopped = new CountDownLatch(1);
        if (config.demoMode()) {
            Demo demo = Demo.start(demoPort, System.getenv(), err);
            if (demo == null) {
                return 2;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                demo.close();
                stopped.countDown();
            }, "telescale-shutdown"));
            spec.commandLine().getOut().println(demo.banner());
        } else {
            Map<String, BotApplication> applications = Applications.available(config, System.getenv(), err);
            if (applications == null) {
                return 2;
            }
            TelescaleRuntime runtime = TelescaleRuntime.start(config, applications, InstantSource.system());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                runtime.close();
                stopped.countDown();
            }, "telescale-shutdown"));
            spec.commandLine().getOut().println("Telescale is running " + config.bots().size() + " bot(s) on "
                    + (config.polling() ? "long polling" : "webhooks") + "; health, metrics and webhooks on port "
                    + runtime.httpPort() + (config.admin().webEnabled() ? ", admin dashboard at /admin" : "")
                    + ". Ctrl-C stops it.");
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}

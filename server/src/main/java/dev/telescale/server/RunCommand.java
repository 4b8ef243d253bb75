package dev.telescale.server;

import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.config.TelescaleConfig;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code telescale run}: the bot runtime with the configured bots, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the bots named in BOT_TOKENS (environment or ./.env; see docs/configuration.md).",
                "Without DATABASE_URL and REDIS_URL it runs on an embedded SQLite file under ./data and in-process state."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        TelescaleConfig config = Configurations.load(err);
        if (config == null) {
            return 2;
        }
        LoggingSetup.apply(config.logging());
        if (config.demoMode()) {
            err.println("telescale: BOT_TOKENS is empty: set it to one or more bot tokens (plain tokens run the "
                    + "anonymous chat, echo:<token> the echo bot); see docs/configuration.md");
            err.flush();
            return 2;
        }
        TelescaleRuntime runtime = TelescaleRuntime.start(config, Applications.available(), InstantSource.system());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "telescale-shutdown"));
        spec.commandLine().getOut().println("Telescale is running " + config.bots().size() + " bot(s) on "
                + (config.polling() ? "long polling" : "webhooks") + "; health, metrics and webhooks on port "
                + runtime.httpPort() + ". Ctrl-C stops it.");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}

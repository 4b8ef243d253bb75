package dev.telescale.server;

import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.runtime.TelescaleRuntime;
import dev.telescale.runtime.config.TelescaleConfig;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
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
                "Telegram emulator, played through its /sim API."})
final class RunCommand implements Callable<Integer> {
    /** The demo's bots: well-formed tokens that exist only in the built-in emulator. */
    static final List<String> DEMO_TOKENS = List.of("1000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo01",
            "1000002:DEMOdemoDEMOdemoDEMOdemoDEMOdemo02");

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
        Emulator demoEmulator = null;
        if (config.demoMode()) {
            demoEmulator = Emulator.start(EmulatorConfig.defaults().withFlood(FloodLimits.telegramDefaults())
                    .withPort(demoPort));
            Map<String, String> environment = new HashMap<>(System.getenv());
            environment.put("BOT_TOKENS", DEMO_TOKENS.stream().map(token -> "anonchat:" + token)
                    .reduce((a, b) -> a + "," + b).orElseThrow());
            environment.put("TELEGRAM_API_URL", demoEmulator.baseUrl());
            config = Configurations.load(environment, err);
            if (config == null) {
                demoEmulator.close();
                return 2;
            }
        }
        Emulator emulator = demoEmulator;
        Map<String, dev.telescale.runtime.app.BotApplication> applications = Applications.available(config,
                System.getenv(), err);
        if (applications == null) {
            if (emulator != null) {
                emulator.close();
            }
            return 2;
        }
        TelescaleRuntime runtime = TelescaleRuntime.start(config, applications, InstantSource.system());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            if (emulator != null) {
                emulator.close();
            }
            stopped.countDown();
        }, "telescale-shutdown"));
        if (emulator != null) {
            spec.commandLine().getOut().println("Telescale demo (no BOT_TOKENS): the anonymous chat on two bots, ids "
                    + DEMO_TOKENS.stream().map(token -> token.substring(0, token.indexOf(':'))).toList()
                    + ", on a built-in Telegram emulator; play a user through " + emulator.baseUrl()
                    + "/sim (see docs/emulator.md); health and metrics on port " + runtime.httpPort()
                    + ". Ctrl-C stops it.");
        } else {
            spec.commandLine().getOut().println("Telescale is running " + config.bots().size() + " bot(s) on "
                    + (config.polling() ? "long polling" : "webhooks") + "; health, metrics and webhooks on port "
                    + runtime.httpPort() + ". Ctrl-C stops it.");
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}

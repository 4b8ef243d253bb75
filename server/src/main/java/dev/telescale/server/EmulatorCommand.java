package dev.telescale.server;

import dev.telescale.emulator.Emulator;
import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.FloodLimits;
import dev.telescale.emulator.WebhookPolicy;
import dev.telescale.emulator.faults.FaultSettings;
import dev.telescale.emulator.faults.LatencyDistribution;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code telescale emulator}: the Telegram Bot API emulator as a standalone server, until SIGTERM or Ctrl-C. */
@Command(name = "emulator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Runs the Telegram Bot API emulator until SIGTERM or Ctrl-C.",
            "Point a bot library at http://HOST:PORT instead of https://api.telegram.org; the simulation API at "
                    + "/sim plays the users (see docs/emulator.md).",
            ""})
public final class EmulatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8081", paramLabel = "PORT",
            description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Interface to bind; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed for ids and fault injection, so runs repeat (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-flood-limits",
            description = "Turn flood control off (for benchmarks of the engine itself).")
    boolean noFloodLimits;

    @Option(names = "--per-bot-rate", defaultValue = "30", paramLabel = "MSG/S",
            description = "Messages per second one bot may send (default: ${DEFAULT-VALUE}).")
    double perBotRate;

    @Option(names = "--per-chat-rate", defaultValue = "1", paramLabel = "MSG/S",
            description = "Messages per second into one private chat (default: ${DEFAULT-VALUE}).")
    double perChatRate;

    @Option(names = "--per-chat-burst", defaultValue = "3", paramLabel = "N",
            description = "Messages one chat takes at once before 429 (default: ${DEFAULT-VALUE}).")
    int perChatBurst;

    @Option(names = "--per-group-per-minute", defaultValue = "20", paramLabel = "N",
            description = "Messages per minute into one group or channel (default: ${DEFAULT-VALUE}).")
    int perGroupPerMinute;

    @Option(names = "--strict-webhook-urls",
            description = "Require HTTPS webhook URLs on ports 443, 80, 88 or 8443, like Telegram.")
    boolean strictWebhookUrls;

    @Option(names = "--webhook-time-scale", defaultValue = "1.0", paramLabel = "FACTOR",
            description = "Multiply webhook timeouts, retry delays and TTLs by this (default: ${DEFAULT-VALUE}).")
    double webhookTimeScale;

    @Option(names = "--fault-5xx-rate", defaultValue = "0", paramLabel = "P",
            description = "Share of Bot API calls answered 500 Internal Server Error (default: ${DEFAULT-VALUE}).")
    double fault5xxRate;

    @Option(names = "--fault-502-rate", defaultValue = "0", paramLabel = "P",
            description = "Share of calls answered with a 502 Bad Gateway HTML page (default: ${DEFAULT-VALUE}).")
    double fault502Rate;

    @Option(names = "--fault-reset-rate", defaultValue = "0", paramLabel = "P",
            description = "Share of calls whose connection is closed without an answer (default: ${DEFAULT-VALUE}).")
    double faultResetRate;

    @Option(names = "--fault-429-rate", defaultValue = "0", paramLabel = "P",
            description = "Share of calls answered 429, whatever the flood limits (default: ${DEFAULT-VALUE}).")
    double fault429Rate;

    @Option(names = "--fault-latency-ms", defaultValue = "0", paramLabel = "MS",
            description = "Mean of an exponentially distributed delay added to each call (default: ${DEFAULT-VALUE}).")
    double faultLatencyMs;

    @Override
    public Integer call() throws InterruptedException {
        EmulatorConfig config = config();
        Emulator emulator = Emulator.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                emulator.close();
            } finally {
                stopped.countDown();
            }
        }, "telescale-emulator-shutdown"));
        String base = emulator.baseUrl();
        PrintWriter out = spec.commandLine().getOut();
        out.println("Telescale emulator: Bot API at " + base + "/bot<token>/<method>, simulation API at " + base + "/sim");
        out.flush();
        stopped.await();
        return 0;
    }

    /** The emulator configuration these options describe; a bad value is a {@link ParameterException}. */
    EmulatorConfig config() {
        require(port >= 0 && port <= 65535, "--port must be between 0 and 65535, got " + port);
        require(!host.isBlank(), "--host must not be empty");
        requirePositive("--per-bot-rate", perBotRate);
        requirePositive("--per-chat-rate", perChatRate);
        require(perChatBurst >= 1, "--per-chat-burst must be at least 1, got " + perChatBurst);
        require(perGroupPerMinute >= 1, "--per-group-per-minute must be at least 1, got " + perGroupPerMinute);
        requirePositive("--webhook-time-scale", webhookTimeScale);
        requireRate("--fault-5xx-rate", fault5xxRate);
        requireRate("--fault-502-rate", fault502Rate);
        requireRate("--fault-reset-rate", faultResetRate);
        requireRate("--fault-429-rate", fault429Rate);
        require(Double.isFinite(faultLatencyMs) && faultLatencyMs >= 0,
                "--fault-latency-ms must be 0 or more, got " + faultLatencyMs);

        FloodLimits telegram = FloodLimits.telegramDefaults();
        FloodLimits flood = new FloodLimits(!noFloodLimits, perBotRate, telegram.perBotBurst(), perChatRate,
                perChatBurst, perGroupPerMinute);
        FaultSettings none = FaultSettings.none();
        LatencyDistribution latency = faultLatencyMs > 0
                ? new LatencyDistribution("exponential", faultLatencyMs, 0, 0)
                : LatencyDistribution.none();
        FaultSettings faults = new FaultSettings(latency, fault5xxRate, fault502Rate, faultResetRate, fault429Rate,
                none.stormRetryAfter(), none.webhookFailureRate());
        String problem = faults.problem();
        require(problem == null, "bad fault settings: " + problem);
        WebhookPolicy webhook = webhookTimeScale == 1.0
                ? WebhookPolicy.telegram()
                : WebhookPolicy.telegram().scaled(webhookTimeScale);

        return EmulatorConfig.defaults()
                .withHost(host)
                .withPort(port)
                .withSeed(seed)
                .withFlood(flood)
                .withFaults(faults)
                .withWebhook(webhook)
                .withStrictWebhookUrls(strictWebhookUrls);
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private void requirePositive(String option, double value) {
        require(Double.isFinite(value) && value > 0, option + " must be more than 0, got " + value);
    }

    private void requireRate(String option, double value) {
        require(value >= 0 && value <= 1, option + " must be between 0 and 1, got " + value);
    }
}

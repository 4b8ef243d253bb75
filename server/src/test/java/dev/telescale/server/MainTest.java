package dev.telescale.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telescale.emulator.EmulatorConfig;
import dev.telescale.emulator.WebhookPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpListsTheEmulatorCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: telescale", "emulator", "--version");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void versionNamesTelescale() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("Telescale ").doesNotContain("unknown");
    }

    @Test
    void emulatorHelpListsItsOptionsAndDefaults() {
        assertThat(run("emulator", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: telescale emulator", "--port", "8081", "--host", "127.0.0.1",
                "--seed", "--no-flood-limits", "--per-bot-rate", "--per-chat-rate", "--per-chat-burst",
                "--per-group-per-minute", "--strict-webhook-urls", "--webhook-time-scale", "--fault-5xx-rate",
                "--fault-502-rate", "--fault-reset-rate", "--fault-429-rate", "--fault-latency-ms");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aValueOfTheWrongTypeIsOneLineAndExitCode2() {
        assertThat(run("emulator", "--port", "abc")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(
                "telescale: Invalid value for option '--port': 'abc' is not an int - see 'telescale emulator --help'"
                        + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anOutOfRangeValueIsRejectedBeforeAnythingStarts() {
        assertThat(run("emulator", "--fault-5xx-rate", "1.5")).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("telescale: --fault-5xx-rate must be between 0 and 1, got 1.5 - see 'telescale emulator --help'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownOptionIsOneLineAndExitCode2() {
        assertThat(run("--port", "x")).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("telescale: Unknown option").contains("'--port'").doesNotContain("Exception");
    }

    @Test
    void noCommandShowsTheUsageAndExitCode2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: telescale", "emulator");
    }

    @Test
    void defaultsAreTelegramsLimitsOnPort8081() {
        EmulatorConfig config = parse();
        assertThat(config.port()).isEqualTo(8081);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.flood().enabled()).isTrue();
        assertThat(config.flood().perBotPerSecond()).isEqualTo(30);
        assertThat(config.flood().perChatPerSecond()).isEqualTo(1);
        assertThat(config.flood().perChatBurst()).isEqualTo(3);
        assertThat(config.flood().perGroupPerMinute()).isEqualTo(20);
        assertThat(config.faults().affectsCalls()).isFalse();
        assertThat(config.webhook()).isEqualTo(WebhookPolicy.telegram());
        assertThat(config.strictWebhookUrls()).isFalse();
    }

    @Test
    void optionsReachTheEmulatorConfig() {
        EmulatorConfig config = parse("--port", "0", "--host", "0.0.0.0", "--seed", "7", "--no-flood-limits",
                "--per-bot-rate", "100", "--per-chat-rate", "2.5", "--per-chat-burst", "5",
                "--per-group-per-minute", "40", "--strict-webhook-urls", "--webhook-time-scale", "0.001",
                "--fault-5xx-rate", "0.1", "--fault-502-rate", "0.2", "--fault-reset-rate", "0.3",
                "--fault-429-rate", "0.4", "--fault-latency-ms", "25");
        assertThat(config.port()).isZero();
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.seed()).isEqualTo(7);
        assertThat(config.flood().enabled()).isFalse();
        assertThat(config.flood().perBotPerSecond()).isEqualTo(100);
        assertThat(config.flood().perChatPerSecond()).isEqualTo(2.5);
        assertThat(config.flood().perChatBurst()).isEqualTo(5);
        assertThat(config.flood().perGroupPerMinute()).isEqualTo(40);
        assertThat(config.strictWebhookUrls()).isTrue();
        assertThat(config.webhook().requestTimeout()).isEqualTo(Duration.ofMillis(60));
        assertThat(config.faults().serverErrorRate()).isEqualTo(0.1);
        assertThat(config.faults().badGatewayRate()).isEqualTo(0.2);
        assertThat(config.faults().connectionResetRate()).isEqualTo(0.3);
        assertThat(config.faults().tooManyRequestsRate()).isEqualTo(0.4);
        assertThat(config.faults().latency().kind()).isEqualTo("exponential");
        assertThat(config.faults().latency().meanMillis()).isEqualTo(25);
        assertThat(config.faults().problem()).isNull();
    }

    @Test
    void nonPositiveRatesAreRejected() {
        assertThatThrownBy(() -> parse("--per-bot-rate", "0")).isInstanceOf(ParameterException.class)
                .hasMessage("--per-bot-rate must be more than 0, got 0.0");
        assertThatThrownBy(() -> parse("--webhook-time-scale", "-1")).isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> parse("--port", "70000")).isInstanceOf(ParameterException.class);
    }

    @Test
    void describeSkipsWrapperMessages() {
        IllegalStateException root = new IllegalStateException("Port already in use");
        assertThat(Main.describe(new RuntimeException(root))).isEqualTo("Port already in use");
        assertThat(Main.describe(new RuntimeException("could not start", root))).isEqualTo("could not start");
        assertThat(Main.describe(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    }

    private static EmulatorConfig parse(String... args) {
        EmulatorCommand command = new EmulatorCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}

package dev.telescale.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One run's results folder, {@code <results>/<scenario>-<timestamp>/}: result.json (every number,
 * the command line, the date and the machine), result.md (a Markdown table row) and latency.svg.
 */
final class RunFolder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter FOLDER_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final Path dir;
    private final String scenario;
    private final String commandLine;
    private final OffsetDateTime startedAt = OffsetDateTime.now();

    private RunFolder(Path dir, String scenario, String commandLine) {
        this.dir = dir;
        this.scenario = scenario;
        this.commandLine = commandLine;
    }

    static RunFolder create(Path results, String scenario, List<String> args) {
        String stamp = LocalDateTime.now().format(FOLDER_TIME);
        Path dir = results.resolve(scenario + "-" + stamp);
        for (int i = 2; Files.exists(dir); i++) {
            dir = results.resolve(scenario + "-" + stamp + "-" + i);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return new RunFolder(dir, scenario, "bin/telescale bench " + String.join(" ", args));
    }

    Path dir() {
        return dir;
    }

    /** The common head of result.json: scenario, command, date, machine. */
    ObjectNode newResult(CommonOptions options) {
        ObjectNode result = JSON.createObjectNode();
        result.put("scenario", scenario);
        result.put("command", commandLine);
        result.put("date", startedAt.toString());
        ObjectNode machine = result.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            machine.put("memoryBytes", os.getTotalMemorySize());
        }
        machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        ObjectNode setup = result.putObject("setup");
        setup.put("label", options.setupLabel());
        setup.put("ingress", options.ingress.name());
        setup.put("database", options.database == null ? "sqlite (results folder)" : redactPassword(options.database));
        setup.put("redis", options.redis == null ? "in-process" : redactPassword(options.redis));
        setup.put("floodLimits", options.flood);
        setup.put("botProcess", options.botProcess.name());
        if (options.botProcess == CommonOptions.BotPlacement.separate) {
            setup.put("botJvmOptions", options.botJvmOptions);
        }
        return result;
    }

    /** Latency percentiles of a histogram of microseconds, in milliseconds. */
    static ObjectNode percentiles(Histogram histogram) {
        ObjectNode node = JSON.createObjectNode();
        node.put("count", histogram.getTotalCount());
        for (Map.Entry<String, Double> entry : PERCENTILES.entrySet()) {
            node.put(entry.getKey(), millis(histogram.getValueAtPercentile(entry.getValue())));
        }
        node.put("max", millis(histogram.getMaxValue()));
        node.put("mean", Math.round(histogram.getMean()) / 1_000.0);
        return node;
    }

    private static final Map<String, Double> PERCENTILES = percentileNames();

    private static Map<String, Double> percentileNames() {
        Map<String, Double> names = new LinkedHashMap<>();
        names.put("p50", 50.0);
        names.put("p90", 90.0);
        names.put("p95", 95.0);
        names.put("p99", 99.0);
        names.put("p99_9", 99.9);
        return names;
    }

    static double millis(long micros) {
        return micros / 1_000.0;
    }

    /** Writes result.json, result.md (header plus one row) and latency.svg. */
    void write(ObjectNode result, Map<String, String> row, Map<String, Histogram> curves) {
        try {
            Files.writeString(dir.resolve("result.json"), JSON.writeValueAsString(result) + "\n");
            StringBuilder md = new StringBuilder();
            md.append("| ").append(String.join(" | ", row.keySet())).append(" |\n");
            md.append("|").append("---|".repeat(row.size())).append("\n");
            md.append("| ").append(String.join(" | ", row.values())).append(" |\n");
            md.append("\n`").append(commandLine).append("` on ").append(startedAt.toLocalDate()).append(", ")
                    .append(result.path("machine").path("cores").asInt()).append(" cores, JDK ")
                    .append(result.path("machine").path("jdk").asText()).append("\n");
            Files.writeString(dir.resolve("result.md"), md.toString());
            Files.writeString(dir.resolve("latency.svg"), LatencyPlot.svg(scenario + " (" + result.path("setup")
                    .path("label").asText() + ")", curves));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
    }

    static String ms(double value) {
        return String.format(Locale.ROOT, "%.2f ms", value);
    }

    private static String redactPassword(String url) {
        return url.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }
}

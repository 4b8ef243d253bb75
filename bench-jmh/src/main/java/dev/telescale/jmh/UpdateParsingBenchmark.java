package dev.telescale.jmh;

import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.ingress.UpdateParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Ingress: {@code UpdateParser.parse} (JSON tree, type, ordering key, shard) on the real Telegram
 * updates of {@code fixtures/telegram-updates/} (the directory is the system property
 * {@code telescale.fixtures}, default relative to the repository root): a typical private text
 * message, and every fixture the parser accepts in turn.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UpdateParsingBenchmark {
    private static final long BOT_ID = 123456L;

    private String privateText;
    private String[] everyFixture;

    @Setup
    public void load() throws IOException {
        Path dir = Path.of(System.getProperty("telescale.fixtures", "fixtures/telegram-updates"));
        List<String> parseable = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".json")).sorted().toList()) {
                String raw = Files.readString(file);
                try {
                    UpdateParser.parse(BOT_ID, raw, 0);
                    parseable.add(raw);
                } catch (IllegalArgumentException notAnUpdate) {
                    // fixtures of malformed updates test the refusal, not the hot path
                }
            }
        }
        if (parseable.isEmpty()) {
            throw new IllegalStateException("no parseable fixtures in " + dir.toAbsolutePath());
        }
        everyFixture = parseable.toArray(String[]::new);
        System.out.println("UpdateParsingBenchmark: " + everyFixture.length + " parseable fixtures in " + dir);
        privateText = Files.readString(dir.resolve("07-message-de_text.json"));
    }

    @Benchmark
    public InboundUpdate privateTextMessage() {
        return UpdateParser.parse(BOT_ID, privateText, 1L);
    }

    /** All accepted fixtures, one after another (the setup prints how many: divide by that for one). */
    @Benchmark
    public void everyFixture(Blackhole blackhole) {
        for (String raw : everyFixture) {
            blackhole.consume(UpdateParser.parse(BOT_ID, raw, 1L));
        }
    }
}

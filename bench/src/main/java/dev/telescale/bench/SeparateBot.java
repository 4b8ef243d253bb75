package dev.telescale.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link BotProcess} child JVM: started with this JVM's {@code java} and class path, the given
 * flags and exactly the given environment (plus PATH, HOME, LANG, TMPDIR and MALLOC_ARENA_MAX), its output going to
 * a log file in the run's folder. A daemon thread samples its resident set from
 * {@code /proc/<pid>/status} every 100 ms while it runs.
 *
 * <p>Lifecycle, so that no child outlives the harness: {@link #close()} closes the child's
 * standard input (it then stops its runtime and exits), waits up to 10 s, then destroys it, and
 * forcibly after 5 s more. A shutdown hook registered at start destroys it forcibly if the
 * harness exits without closing it (Ctrl-C, System.exit); if the harness is killed outright, the
 * child sees its input end and exits by itself. Not thread-safe apart from the sampler.
 */
final class SeparateBot implements AutoCloseable {
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TMPDIR", "MALLOC_ARENA_MAX");
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    /** Resident memory of the child, in kB: the kernel's peak (VmHWM), the highest sample, the last sample. */
    record Memory(long peakKb, long highestSampledKb, long lastKb) {
    }

    private final Process process;
    private final Path log;
    private final Thread shutdownHook;
    private final Thread sampler;
    private volatile long highestSampledKb;
    private volatile long lastKb;

    private SeparateBot(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(process::destroyForcibly, "bench-bot-process-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.sampler = Thread.ofPlatform().daemon().name("bench-bot-rss").start(this::sample);
    }

    static SeparateBot start(Map<String, String> env, String jvmOptions, Path log) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        Arrays.stream(jvmOptions.trim().split("\\s+")).filter(flag -> !flag.isEmpty()).forEach(command::add);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BotProcess.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().retainAll(INHERITED);
        childEnv.putAll(env);
        try {
            return new SeparateBot(builder.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the bot process: " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** The resident set now and so far; the peak is the kernel's, so it misses nothing between samples. */
    Memory memory() {
        long peak = readStatusKb("VmHWM").orElse(0L);
        return new Memory(peak, highestSampledKb, lastKb);
    }

    private void sample() {
        while (process.isAlive()) {
            readStatusKb("VmRSS").ifPresent(rss -> {
                lastKb = rss;
                highestSampledKb = Math.max(highestSampledKb, rss);
            });
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Optional<Long> readStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Optional.of(Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return Optional.empty();
    }

    /**
     * Runs {@code jcmd <pid> GC.class_histogram} (which first collects the garbage) into the given
     * file, then {@code GC.heap_info}; returns the heap in use after that collection, in kB, or
     * empty when jcmd is missing or failed.
     */
    Optional<Long> heapAfterFullGc(Path histogramFile) {
        Optional<String> histogram = jcmd("GC.class_histogram");
        histogram.ifPresent(text -> {
            try {
                Files.writeString(histogramFile, text);
            } catch (IOException e) {
                // the histogram is a diagnostic; the figure below does not depend on it
            }
        });
        return jcmd("GC.heap_info").map(info -> {
            long used = 0;
            Matcher matcher = HEAP_USED.matcher(info);
            while (matcher.find()) {
                used += Long.parseLong(matcher.group(1));
            }
            return used;
        }).filter(used -> used > 0);
    }

    private Optional<String> jcmd(String command) {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                    .redirectErrorStream(true).start();
            String output = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
                run.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(output);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            sampler.interrupt();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** How long the child had to become ready. */
    static final Duration READY_WITHIN = Duration.ofSeconds(90);
}

package dev.telescale.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every scenario shares: where the bot gets its updates, what it stores in, where results go. */
final class CommonOptions {
    enum Ingress { webhook, polling }

    enum LogLevel { TRACE, DEBUG, INFO, WARN, ERROR }

    /** Where the Telescale instance runs: in the harness's JVM, or in a JVM of its own ({@link BotProcess}). */
    enum BotPlacement { same, separate }

    /**
     * The bot JVM's flags with {@code --bot-process separate}, chosen for a small resident set
     * (measured in docs/benchmarks.md): the serial collector (no collector threads or remembered
     * sets); a heap that starts small and may grow to 120 MB, of which a fixed 24 MB young
     * generation, so the old generation (96 MB) has room above the 60-70 MB the bot keeps live at
     * 100,000 users (with the default third of 128 MB for the young generation it had 85 MB and
     * collected in full every second); bounded code cache and metaspace; C1 only (C2's compiler
     * arenas and larger code cost about 45 MB of resident memory); and the C heap trimmed every 5
     * s, which hands memory the JVM freed (compiler arenas, start-up buffers) back to the system
     * instead of leaving it in glibc's arenas (about 6 MB on PostgreSQL + Redis).
     */
    static final String DEFAULT_BOT_JVM_OPTIONS = "-XX:+UseSerialGC -Xms16m -Xmx120m -Xmn24m -Xss512k "
            + "-XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m -XX:TieredStopAtLevel=1 "
            + "-XX:TrimNativeHeapInterval=5000";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--ingress", defaultValue = "webhook", paramLabel = "webhook|polling",
            description = "How the bot receives updates (default: ${DEFAULT-VALUE}).")
    Ingress ingress;

    @Option(names = "--database", paramLabel = "URL",
            description = {"postgresql://user@host:port/database: runs on a fresh schema created there.",
                    "Default: an SQLite file in the run's results folder."})
    String database;

    @Option(names = "--redis", paramLabel = "URL",
            description = "redis://host:port for shared state (a key prefix unique to the run). Default: in-process state.")
    String redis;

    @Option(names = "--flood", description = "Turns the emulator's Telegram flood limits on, and the bot's default send rates.")
    boolean flood;

    @Option(names = "--results", defaultValue = "results", paramLabel = "DIR",
            description = "Where the run's folder is created (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--log-level", defaultValue = "WARN", paramLabel = "LEVEL",
            description = "Log level of the runtime and the emulator during the run: ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE}).")
    LogLevel logLevel;

    @Option(names = "--bot-process", defaultValue = "same", paramLabel = "same|separate",
            description = {"Run the Telescale instance in this JVM (same) or in a JVM of its own (separate), "
                    + "whose resident memory is then reported (default: ${DEFAULT-VALUE}; the memory scenario always separates it)."})
    BotPlacement botProcess;

    @Option(names = "--bot-jvm-options", defaultValue = DEFAULT_BOT_JVM_OPTIONS, paramLabel = "FLAGS",
            description = "JVM flags of the separate bot process, space-separated (default: ${DEFAULT-VALUE}).")
    String botJvmOptions;

    /** A short description of the setup for tables: {@code sqlite+webhook}, {@code postgres+redis+polling}. */
    String setupLabel() {
        String storage = database == null || database.startsWith("sqlite:") ? "sqlite" : "postgres";
        return storage + (redis == null ? "" : "+redis") + "+" + ingress + (flood ? "+flood" : "");
    }
}

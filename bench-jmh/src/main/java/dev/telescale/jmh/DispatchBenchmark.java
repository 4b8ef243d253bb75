package dev.telescale.jmh;

import dev.telescale.runtime.app.BotApplication;
import dev.telescale.runtime.app.UpdateContext;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.dispatch.DispatchListener;
import dev.telescale.runtime.dispatch.Dispatcher;
import dev.telescale.runtime.dispatch.HostedBot;
import dev.telescale.runtime.dispatch.UserDirectory;
import dev.telescale.runtime.ingress.InboundUpdate;
import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.ingress.UpdateParser;
import dev.telescale.runtime.storage.Outbox;
import dev.telescale.runtime.storage.UpdateJournal;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Dispatch: {@link Dispatcher#submit} of a batch of {@value #BATCH} journaled updates spread over
 * {@code chats} chats, until the listener has seen each handled. That is the dispatcher's whole
 * per-update path: the hand-off to the chat's lane (one virtual thread per active lane, strictly
 * in order within it), and the exactly-once transaction (claim in order, handler, outbox write)
 * on SQLite, with a handler that does nothing, so the figure is the runtime's own cost per update.
 * With one chat every update waits for the one before it; with many, lanes run side by side. The
 * batch is journaled before each invocation, outside the timing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchBenchmark {
    static final int BATCH = 200;
    private static final String TOKEN = "710001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    private static final long BOT_ID = 710001L;

    @Param({"1", "100"})
    public int chats;

    private TempDatabase temp;
    private UpdateJournal journal;
    private Dispatcher dispatcher;
    private final Semaphore handled = new Semaphore(0);
    private long nextUpdateId = 1;
    private List<InboundUpdate> batch;

    /** The handler: nothing. */
    private static final class NoOp implements BotApplication {
        @Override
        public String name() {
            return "noop";
        }

        @Override
        public void handle(UpdateContext context) {
        }
    }

    @Setup(Level.Trial)
    public void start() {
        temp = TempDatabase.open("dispatch", List.of());
        journal = new UpdateJournal(temp.database(), InstantSource.system());
        Set<Integer> allShards = IntStream.range(0, Partitioning.SHARDS).boxed().collect(Collectors.toUnmodifiableSet());
        DispatchListener countHandled = new DispatchListener() {
            @Override
            public void handled(InboundUpdate update, String application, long handleNanos) {
                handled.release();
            }

            @Override
            public void handlerFailed(InboundUpdate update, String application, Throwable error, int attempt) {
            }

            @Override
            public void gaveUp(InboundUpdate update, String application, String reason) {
                handled.release();
            }
        };
        dispatcher = new Dispatcher(temp.database(), journal, new Outbox(temp.database()),
                List.of(new HostedBot(new BotToken(TOKEN), new NoOp())), () -> allShards, () -> { }, countHandled,
                UserDirectory.NONE, InstantSource.system(), Dispatcher.Settings.defaults());
        dispatcher.start();
    }

    @Setup(Level.Invocation)
    public void journalNextBatch() {
        batch = new ArrayList<>(BATCH);
        long now = System.currentTimeMillis();
        for (int i = 0; i < BATCH; i++) {
            long id = nextUpdateId++;
            long chat = 5_000_000L + id % chats;
            batch.add(UpdateParser.parse(BOT_ID, """
                    {"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"A"},\
                    "chat":{"id":%d,"type":"private"},"date":1,"text":"hello"}}""".formatted(id, id, chat, chat), now));
        }
        journal.accept(batch);
    }

    @TearDown(Level.Trial)
    public void stop() {
        dispatcher.close();
        temp.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void submitAndHandle() throws InterruptedException {
        dispatcher.submit(batch);
        if (!handled.tryAcquire(BATCH, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the dispatcher did not handle the batch within 60 s");
        }
    }
}

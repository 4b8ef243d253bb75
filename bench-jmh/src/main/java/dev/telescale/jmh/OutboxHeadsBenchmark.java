package dev.telescale.jmh;

import dev.telescale.runtime.ingress.Partitioning;
import dev.telescale.runtime.outbound.OutboundMessage;
import dev.telescale.runtime.storage.Outbox;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sender scheduling, the queue part: the sender's poll, {@link Outbox#heads} (each chat's oldest
 * due message over all 64 shards, conversations first, at most 256), on SQLite holding
 * {@code pending} messages spread over 1,000 chats of one bot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OutboxHeadsBenchmark {
    private static final long BOT_ID = 710001L;
    private static final List<Integer> ALL_SHARDS = IntStream.range(0, Partitioning.SHARDS).boxed().toList();

    @Param({"1000", "20000"})
    public int pending;

    private TempDatabase temp;
    private Outbox outbox;

    @Setup(Level.Trial)
    public void fill() {
        temp = TempDatabase.open("outbox", List.of());
        outbox = new Outbox(temp.database());
        temp.database().useTransaction(handle -> outbox.enqueue(handle, IntStream.range(0, pending).mapToObj(i -> {
            long chat = 5_000_000L + i % 1_000;
            return new OutboundMessage(0, BOT_ID, chat, Partitioning.shardOfChat(BOT_ID, chat), OutboundMessage.CONVERSATION,
                    "sendMessage", "{\"chat_id\":" + chat + ",\"text\":\"m " + i + "\"}", 0, 0, "bench");
        }).toList()));
    }

    @TearDown(Level.Trial)
    public void delete() {
        temp.close();
    }

    @Benchmark
    public List<OutboundMessage> heads() {
        return outbox.heads(ALL_SHARDS, System.currentTimeMillis(), 256);
    }
}

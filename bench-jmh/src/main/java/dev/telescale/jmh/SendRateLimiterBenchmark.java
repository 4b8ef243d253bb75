package dev.telescale.jmh;

import dev.telescale.runtime.outbound.SendLimits;
import dev.telescale.runtime.outbound.SharedSendRateLimiter;
import dev.telescale.runtime.state.InProcessState;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
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
 * Sender scheduling, the in-process part: before each call the sender asks {@link
 * SharedSendRateLimiter#tryAcquire} (the bot's and the chat's token buckets, locked in key order,
 * all or nothing) on the in-process state, as a single instance without Redis does. Calls cycle
 * over {@code chats} chats of one bot; with Telegram's default limits most calls are refused
 * (the bot's 30/s is spent at once), with generous limits most are granted: both paths are timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendRateLimiterBenchmark {
    @Param({"1", "10000"})
    public int chats;

    @Param({"telegram", "generous"})
    public String limits;

    private InProcessState state;
    private SharedSendRateLimiter limiter;
    private long next;

    @Setup(Level.Trial)
    public void start() {
        state = new InProcessState(InstantSource.system());
        SendLimits chosen = limits.equals("telegram") ? SendLimits.telegramDefaults()
                : new SendLimits(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 0.5,
                SendLimits.telegramDefaults().safetyMargin());
        limiter = new SharedSendRateLimiter(state.rateLimiter(), chosen);
    }

    @TearDown(Level.Trial)
    public void stop() {
        state.close();
    }

    @Benchmark
    public long tryAcquire() {
        long chat = 1_000_000L + (next++ % chats);
        return limiter.tryAcquire(710001L, chat, false);
    }
}

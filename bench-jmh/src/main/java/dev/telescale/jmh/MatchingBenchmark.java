package dev.telescale.jmh;

import dev.telescale.anonchat.Profile;
import dev.telescale.anonchat.Store;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.PreparedBatch;
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
 * Matching in the anonymous chat: {@code Store.firstCompatible}, the candidate query a /search
 * runs, on an SQLite database holding {@code queued} waiting users (alternating genders, ages
 * 18-60, every tenth a VIP with a gender wish, and recent partners for the seeker). Two seekers: an
 * ordinary user, whom nearly any queued user suits (the query stops at the first index entries),
 * and a VIP who wants a woman of 59-60 who accepts him, so the query walks much further along
 * the queue's order.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatchingBenchmark {
    private static final long SEEKER = 1L;

    @Param({"100", "10000"})
    public int queued;

    private TempDatabase temp;
    private long now;
    private Profile ordinary;
    private Profile vipWithWishes;

    @Setup(Level.Trial)
    public void fill() {
        temp = TempDatabase.open("matching", List.of("classpath:anonchat/db/{dialect}"));
        now = System.currentTimeMillis();
        temp.database().useTransaction(handle -> {
            PreparedBatch queue = handle.prepareBatch("""
                    INSERT INTO ac_queue (user_id, bot_id, priority, gender, age, want_gender, enqueued_at, expires_at)
                    VALUES (:id, 710001, :priority, :gender, :age, :wantGender, :at, :expires)""");
            for (int i = 0; i < queued; i++) {
                boolean vip = i % 10 == 0;
                queue.bind("id", 1_000L + i).bind("priority", vip ? 1 : 0).bind("gender", i % 2 == 0 ? "m" : "f")
                        .bind("age", 18 + i % 43).bind("wantGender", vip ? "f" : null)
                        .bind("at", now - queued + i).bind("expires", now + 3_600_000L).add();
            }
            queue.execute();
            PreparedBatch recent = handle.prepareBatch(
                    "INSERT INTO ac_recent (user_id, partner_id, until_at) VALUES (:me, :partner, :until)");
            for (int i = 0; i < Math.min(queued, 20); i++) {
                recent.bind("me", SEEKER).bind("partner", 1_000L + i).bind("until", now + 3_600_000L).add();
            }
            recent.execute();
        });
        ordinary = profile("m", 30, null, null, null);
        vipWithWishes = profile("m", 30, "f", 59, 60);
    }

    private static Profile profile(String gender, int age, String wantGender, Integer ageMin, Integer ageMax) {
        return new Profile(1, SEEKER, 710001L, "en", gender, age, null, 0L, wantGender, ageMin, ageMax,
                Long.MAX_VALUE, 0, null, 0, 0, null, false, 0, 0, 0, false, 0, 0);
    }

    @TearDown(Level.Trial)
    public void delete() {
        temp.close();
    }

    @Benchmark
    public Optional<Store.Waiting> ordinarySeeker() {
        return temp.database().withHandle(handle -> handle.attach(Store.class).firstCompatible(ordinary, false, now));
    }

    @Benchmark
    public Optional<Store.Waiting> vipSeekerWithRareWishes() {
        return temp.database().withHandle(handle -> handle.attach(Store.class).firstCompatible(vipWithWishes, true, now));
    }
}

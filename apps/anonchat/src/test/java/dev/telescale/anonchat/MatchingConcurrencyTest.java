package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 users search at the same moment, half on each of two bots, against two instances sharing
 * PostgreSQL and Redis: everyone is matched exactly once, every pair is symmetric, nobody is lost
 * from the queue, and everyone is told once.
 */
class MatchingConcurrencyTest {
    private static final int USERS = 1_000;

    @TempDir
    Path dataDir;
    ChatHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aThousandSimultaneousSearchesAcrossTwoBotsAndTwoInstancesPairEveryoneOnce() throws Exception {
        Jdbi db = twoInstances();
        List<User> users = startedUsers(db, USERS, "U", i -> i % 3 == 0 ? "ru" : "en");
        // Onboarding itself is covered by AnonChatFlowTest; here everyone is made onboarded at once.
        db.useHandle(h -> h.execute("UPDATE ac_users SET gender = CASE WHEN no % 2 = 0 THEN 'm' ELSE 'f' END, age = 20 + no % 30, "
                + "step = NULL, onboarded_at = 0"));

        try (ExecutorService searchers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (User user : users) {
                searchers.submit(() -> user.text("/search"));
            }
        }

        Awaitility.await("everyone matched").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                db.withHandle(h -> h.createQuery("SELECT count(*) FROM ac_active").mapTo(Integer.class).one()) == USERS);

        assertThat((Integer) db.withHandle(h -> h.createQuery("SELECT count(*) FROM ac_queue").mapTo(Integer.class).one()))
                .as("nobody is left waiting").isZero();
        List<long[]> active = db.withHandle(h -> h.createQuery("SELECT user_id, partner_id, conversation FROM ac_active")
                .map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).list());
        Map<Long, long[]> byUser = new HashMap<>();
        for (long[] row : active) {
            assertThat(byUser.put(row[0], row)).as("user %d is in one chat only", row[0]).isNull();
        }
        for (long[] row : active) {
            long[] partner = byUser.get(row[1]);
            assertThat(partner).as("partner of %d is in a chat", row[0]).isNotNull();
            assertThat(partner[1]).as("pairs are symmetric").isEqualTo(row[0]);
            assertThat(partner[2]).as("both sides share one conversation").isEqualTo(row[2]);
            assertThat(row[1]).isNotEqualTo(row[0]);
        }
        assertThat((Integer) db.withHandle(h -> h.createQuery("SELECT count(*) FROM ac_conversations").mapTo(Integer.class).one()))
                .as("exactly one conversation per pair").isEqualTo(USERS / 2);
        Set<Long> crossBot = new HashSet<>();
        db.withHandle(h -> h.createQuery("SELECT id FROM ac_conversations WHERE bot_a <> bot_b").mapTo(Long.class).list())
                .forEach(crossBot::add);
        assertThat(crossBot).as("the two bots share one pool").isNotEmpty();

        // every user is told exactly once that a partner was found
        Awaitility.await("every user told").atMost(Duration.ofSeconds(60)).until(() -> users.stream().allMatch(user ->
                user.inbox().stream().filter(e -> foundText(e.payload().path("text").asText())).count() == 1));
        for (User user : users) {
            assertThat(user.inbox().stream().filter(e -> foundText(e.payload().path("text").asText())).count())
                    .as("user %d told once", user.id()).isEqualTo(1);
        }
    }

    /**
     * Both partners of every pair press /next at the same moment: each conversation ends once, so
     * every user is told either "you ended the chat" or "your partner ended the chat", never both
     * (two concurrent ends of one conversation both went on, before the end took its rows with
     * one DELETE ... RETURNING).
     */
    @Test
    void bothPartnersPressingNextAtOnceEndTheirConversationOnce() throws Exception {
        Jdbi db = twoInstances();
        int count = 200;
        List<User> users = startedUsers(db, count, "N", i -> "en");
        db.useHandle(h -> h.execute("UPDATE ac_users SET gender = 'm', age = 30, step = NULL, onboarded_at = 0"));
        try (ExecutorService searchers = Executors.newVirtualThreadPerTaskExecutor()) {
            users.forEach(user -> searchers.submit(() -> user.text("/search")));
        }
        Awaitility.await("everyone matched").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                db.withHandle(h -> h.createQuery("SELECT count(*) FROM ac_active").mapTo(Integer.class).one()) == count);

        try (ExecutorService pressers = Executors.newVirtualThreadPerTaskExecutor()) {
            users.forEach(user -> pressers.submit(() -> user.text("/next")));
        }

        Awaitility.await("every chat ended").atMost(Duration.ofSeconds(60)).until(() -> users.stream()
                .allMatch(user -> endNotices(user) >= 1));
        Thread.sleep(1_000);   // a second notice, if any, gets the time to arrive
        for (User user : users) {
            assertThat(endNotices(user)).as("user %d told once that the chat ended", user.id()).isEqualTo(1);
        }
        assertThat((Integer) db.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM ac_conversations WHERE ended_at IS NOT NULL AND id <= :last").bind("last", count / 2)
                .mapTo(Integer.class).one())).as("the first conversations all ended").isEqualTo(count / 2);
    }

    /** Two instances of the anonymous chat sharing PostgreSQL and Redis; returns access to the database. */
    private Jdbi twoInstances() {
        harness = new ChatHarness(Backend.POSTGRES_REDIS, dataDir,
                AnonChatSettings.defaults(Set.of()).withNewUserMediaDelay(Duration.ZERO));
        harness.startInstance();
        harness.startInstance();
        return Jdbi.create(harness.runtimes.get(0).database().dataSource());
    }

    /** {@code count} users, alternately on bot A and B, who sent /start and have a profile. */
    private List<User> startedUsers(Jdbi db, int count, String prefix, IntFunction<String> language) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            users.add(harness.newUser(prefix + i, prefix.toLowerCase() + "user" + i, language.apply(i),
                    i % 2 == 0 ? BOT_A : BOT_B));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (User user : users) {
                pool.submit(() -> harness.emulator.sim().start(user.id(), user.bot, ""));
            }
        }
        Awaitility.await("profiles of all users").atMost(Duration.ofSeconds(60)).until(() ->
                db.withHandle(h -> h.createQuery("SELECT count(*) FROM ac_users").mapTo(Integer.class).one()) == count);
        return users;
    }

    private static long endNotices(User user) {
        return user.inbox().stream().map(e -> e.payload().path("text").asText())
                .filter(text -> text.startsWith("You ended the chat") || text.startsWith("Your partner ended the chat"))
                .count();
    }

    private static boolean foundText(String text) {
        return text.startsWith("Partner found") || text.startsWith("Собеседник найден");
    }
}

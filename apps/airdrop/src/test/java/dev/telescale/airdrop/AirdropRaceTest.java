package dev.telescale.airdrop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.airdrop.AirdropHarness.Answer;
import dev.telescale.airdrop.AirdropHarness.Backend;
import dev.telescale.airdrop.AirdropHarness.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on PostgreSQL + Redis racing on the same inviter, the same user and the same task:
 * every credit happens exactly once.
 */
class AirdropRaceTest {
    @TempDir
    Path dir;

    private static AirdropSettings settings() {
        // the farm check is not under test here: every invitee comes from 127.0.0.1
        return AirdropSettings.defaults(Set.of(AirdropHarness.ADMIN), "http://127.0.0.1:8080/apps/airdrop/webapp")
                .withFarmLimits(1000, 1000, "review").withWebAppRateLimit(100_000, java.time.Duration.ofMinutes(5));
    }

    @Test
    void manyInviteesOfOneInviter_verifiedOnTwoInstancesAtOnce_creditTheInviterOnceEach() throws Exception {
        try (AirdropHarness h = new AirdropHarness(Backend.POSTGRES_REDIS, dir, settings())) {
            h.startInstance();
            h.startInstance();
            User inviter = h.newUser("Inviter", AirdropHarness.BOT_A);
            inviter.verifyInChat();
            int invitees = 40;
            List<User> users = new ArrayList<>();
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < invitees; i++) {
                User user = h.newUser("Invitee" + i, i % 2 == 0 ? AirdropHarness.BOT_A : AirdropHarness.BOT_B);
                user.start(inviter.referralCode());
                users.add(user);
            }
            for (User user : users) {
                user.awaitText("Welcome to the airdrop");
                Answer session = h.api(0, "POST", "api/session", null,
                        AirdropHarness.JSON.createObjectNode().put("init_data", h.validInitData(user)).toString());
                String token = session.body().path("session").asText();
                h.api(1, "POST", "api/captcha", token, "{}");
                sessions.add(token);
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Integer>>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < invitees; i++) {
                    User user = users.get(i);
                    String token = sessions.get(i);
                    String answer = h.queryText("SELECT captcha_answer FROM ad_users WHERE user_id = ?", user.id());
                    String body = "{\"answer\":\"" + answer + "\",\"fingerprint\":\"" + String.format("%064x", i + 1) + "\"}";
                    results.add(pool.submit(() -> {
                        go.await();
                        // the same verification sent to both instances at once: one wins, the other sees it done
                        Future<Answer> a = Executors.newVirtualThreadPerTaskExecutor().submit(() -> h.api(0, "POST", "api/verify", token, body));
                        Answer b = h.api(1, "POST", "api/verify", token, body);
                        return List.of(a.get().status(), b.status());
                    }));
                }
                go.countDown();
                for (Future<List<Integer>> result : results) {
                    assertThat(result.get()).containsOnly(200);
                }
            }
            assertThat(h.queryLong("SELECT count(*) FROM ad_users WHERE status = 'verified'")).isEqualTo(invitees + 1);
            assertThat(h.queryLong("SELECT count(*) FROM ad_ledger WHERE kind = 'referral'")).isEqualTo(invitees);
            assertThat(h.queryLong("SELECT count(*) FROM ad_ledger WHERE kind = 'verify'")).isEqualTo(invitees + 1);
            assertThat(inviter.points()).isEqualTo(100 + 50L * invitees);
            assertThat(h.queryLong("SELECT invites FROM ad_users WHERE user_id = ?", inviter.id())).isEqualTo(invitees);
            assertThat(h.queryLong("""
                    SELECT count(*) FROM ad_users u WHERE u.points <> (SELECT COALESCE(SUM(amount), 0) FROM ad_ledger l WHERE l.user_no = u.no)""")).isZero();
        }
    }

    @Test
    void theSameTaskPressedOnTwoInstancesAtOnce_creditsOnce() throws Exception {
        try (AirdropHarness h = new AirdropHarness(Backend.POSTGRES_REDIS, dir, settings())) {
            h.startInstance();
            h.startInstance();
            long custom = h.admin("POST", "api/tasks", "{\"kind\":\"custom\",\"title\":\"Visit\",\"points\":25,\"url\":\"https://example.org\"}")
                    .body().path("id").asLong();
            long checkin = h.admin("POST", "api/tasks", "{\"kind\":\"checkin\",\"title\":\"Check in\",\"points\":10}")
                    .body().path("id").asLong();
            int users = 10;
            for (int u = 0; u < users; u++) {
                User user = h.newUser("Presser" + u, AirdropHarness.BOT_A);
                String token = h.verifyInWebApp(u % 2, user, String.format("%064x", 1000 + u));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Answer>> presses = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < 6; i++) {
                        int instance = i % 2;
                        long task = i < 3 ? custom : checkin;
                        presses.add(pool.submit(() -> {
                            go.await();
                            return h.api(instance, "POST", "api/tasks/" + task, token, "{}");
                        }));
                    }
                    go.countDown();
                    for (Future<Answer> press : presses) {
                        assertThat(press.get().status()).isEqualTo(200);
                        assertThat(press.get().body().path("task_status").asText()).isEqualTo("done");
                    }
                }
                assertThat(user.points()).isEqualTo(100 + 25 + 10);
            }
            assertThat(h.queryLong("SELECT count(*) FROM ad_ledger WHERE kind IN ('task', 'checkin')")).isEqualTo(2L * users);
        }
    }

    @Test
    void miniAppLimitPerAddress_holdsAcrossInstances() throws Exception {
        AirdropSettings limited = settings().withWebAppRateLimit(5, java.time.Duration.ofMinutes(5));
        try (AirdropHarness h = new AirdropHarness(Backend.POSTGRES_REDIS, dir, limited)) {
            h.startInstance();
            h.startInstance();
            for (int i = 0; i < 5; i++) {
                assertThat(h.api(i % 2, "GET", "api/me", null, null).status()).as("request %d", i).isEqualTo(401);
            }
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + h.runtimes.get(1).httpPort() + "/apps/airdrop/api/me")).build();
            var refused = AirdropHarness.HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
            assertThat(refused.body()).contains("too many requests");
        }
    }
}

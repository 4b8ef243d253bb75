package dev.telescale.airdrop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.telescale.airdrop.AirdropHarness.Answer;
import dev.telescale.airdrop.AirdropHarness.Backend;
import dev.telescale.airdrop.AirdropHarness.User;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The airdrop end to end through the emulator and the Mini App's API, on SQLite and on PostgreSQL + Redis. */
class AirdropFlowTest {
    @TempDir
    Path dir;

    private AirdropHarness harness(Backend backend, AirdropSettings settings) {
        AirdropHarness harness = new AirdropHarness(backend, dir, settings);
        harness.startInstance();
        return harness;
    }

    private static AirdropSettings settings() {
        return AirdropSettings.defaults(Set.of(AirdropHarness.ADMIN), "http://127.0.0.1:8080/apps/airdrop/webapp");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void start_verifyInChat_creditsOnceAndTwoLevelsOfReferrals(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User alice = h.newUser("Alice", AirdropHarness.BOT_A);
            alice.verifyInChat();
            assertThat(alice.points()).isEqualTo(100);

            User bob = h.newUser("Bob", AirdropHarness.BOT_B); // another bot of the same airdrop
            bob.start(alice.referralCode());
            bob.awaitText("Welcome to the airdrop");
            assertThat(alice.points()).as("no credit before the invitee is verified").isEqualTo(100);
            bob.verifyInChat();
            alice.awaitText("A friend you invited has verified");
            assertThat(alice.points()).isEqualTo(150);

            User carol = h.newUser("Carol", AirdropHarness.BOT_A);
            carol.start("r_" + bob.referralCode());
            carol.verifyInChat();
            bob.awaitText("A friend you invited has verified");
            alice.awaitText("Someone your friend invited has verified");
            assertThat(bob.points()).isEqualTo(150);
            assertThat(alice.points()).isEqualTo(155);

            // first touch wins: a later /start with another code changes nothing; no self-referral
            carol.start(alice.referralCode());
            carol.awaitText("Welcome back");
            assertThat(h.queryLong("SELECT referrer_no FROM ad_users WHERE user_id = ?", carol.id())).isEqualTo(bob.no());
            User dave = h.newUser("Dave", AirdropHarness.BOT_A);
            dave.start("nosuchcode");
            dave.awaitText("Welcome to the airdrop");
            assertThat(h.queryLong("SELECT count(*) FROM ad_users WHERE user_id = ? AND referrer_no IS NULL", dave.id())).isEqualTo(1);

            // the ledger is the truth: the cached balance is its sum, for everyone
            assertThat(h.queryLong("""
                    SELECT count(*) FROM ad_users u WHERE u.points <> (SELECT COALESCE(SUM(amount), 0) FROM ad_ledger l WHERE l.user_no = u.no)""")).isZero();
            assertThat(h.queryLong("SELECT count(*) FROM ad_ledger WHERE kind = 'referral'")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void miniApp_refusesForgedStaleReplayedAndLoginWidgetInitData(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User user = h.newUser("Erin", AirdropHarness.BOT_A);
            long now = System.currentTimeMillis() / 1000;
            Map<String, String> fields = AirdropHarness.fields(user.sim, now, null);
            String good = AirdropHarness.initData(fields, AirdropHarness.webAppKey(AirdropHarness.TOKEN_A));

            String forged = good.replace("Erin", "Eve");
            assertThat(session(h, forged).status()).isEqualTo(401);
            byte[] loginWidgetKey = sha256(AirdropHarness.TOKEN_A);
            Answer loginWidget = session(h, AirdropHarness.initData(fields, loginWidgetKey));
            assertThat(loginWidget.status()).isEqualTo(401);
            assertThat(loginWidget.body().path("error").asText()).startsWith("initData refused");
            String stale = AirdropHarness.initData(AirdropHarness.fields(user.sim, now - 7200, null),
                    AirdropHarness.webAppKey(AirdropHarness.TOKEN_A));
            assertThat(session(h, stale).status()).isEqualTo(401);
            assertThat(session(h, "not init data at all").status()).isEqualTo(401);
            assertThat(h.api(0, "POST", "api/session", null, "{not json").status()).isEqualTo(400);

            Answer first = session(h, good);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().path("status").asText()).isEqualTo("new");
            Answer replay = session(h, good);
            assertThat(replay.status()).isEqualTo(409);
            assertThat(replay.body().path("error").asText()).contains("used already");

            // the session works, a tampered one does not
            String token = first.body().path("session").asText();
            assertThat(h.api(0, "GET", "api/me", token, null).status()).isEqualTo(200);
            assertThat(h.api(0, "GET", "api/me", token + "x", null).status()).isEqualTo(401);
            assertThat(h.api(0, "GET", "api/me", null, null).status()).isEqualTo(401);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void miniApp_verifiesWithTheCaptchaAndCountsWrongAnswers(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User inviter = h.newUser("Finn", AirdropHarness.BOT_A);
            inviter.verifyInChat();
            User user = h.newUser("Gina", AirdropHarness.BOT_A);
            user.start(inviter.referralCode());
            user.awaitText("Welcome to the airdrop");
            String token = session(h, h.validInitData(user)).body().path("session").asText();
            assertThat(h.api(0, "POST", "api/captcha", token, "{}").body().path("svg").asText()).startsWith("<svg");
            String answer = h.queryText("SELECT captcha_answer FROM ad_users WHERE user_id = ?", user.id());
            String wrong = Integer.toString(Integer.parseInt(answer) + 1);
            Answer bad = h.api(0, "POST", "api/verify", token, "{\"answer\":\"" + wrong + "\",\"fingerprint\":\"" + "ab".repeat(32) + "\"}");
            assertThat(bad.body().path("ok").asBoolean()).isFalse();
            assertThat(bad.body().path("attempts_left").asInt()).isEqualTo(4);
            assertThat(h.api(0, "POST", "api/verify", token, "{\"answer\":\"1\",\"fingerprint\":\"zz\"}").status()).isEqualTo(400);

            h.api(0, "POST", "api/captcha", token, "{}");
            answer = h.queryText("SELECT captcha_answer FROM ad_users WHERE user_id = ?", user.id());
            Answer good = h.api(0, "POST", "api/verify", token, "{\"answer\":\"" + answer + "\",\"fingerprint\":\"" + "ab".repeat(32) + "\"}");
            assertThat(good.status()).isEqualTo(200);
            assertThat(good.body().path("status").asText()).isEqualTo("verified");
            assertThat(good.body().path("points").asLong()).isEqualTo(100);
            user.awaitText("You are verified");
            inviter.awaitText("A friend you invited has verified");
            assertThat(h.queryText("SELECT client_ip FROM ad_users WHERE user_id = ?", user.id())).isEqualTo("127.0.0.1");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void farm_aDeviceUsedByTooManyAccountsHoldsThemAll(Backend backend) {
        AirdropSettings settings = settings().withFarmLimits(2, 1000, "review");
        try (AirdropHarness h = harness(backend, settings)) {
            User boss = h.newUser("Boss", AirdropHarness.BOT_A);
            boss.verifyInChat();
            String device = "cd".repeat(32);
            User[] farm = new User[3];
            for (int i = 0; i < farm.length; i++) {
                farm[i] = h.newUser("Farm" + i, AirdropHarness.BOT_A);
                farm[i].start(boss.referralCode());
                farm[i].awaitText("Welcome to the airdrop");
                h.verifyInWebApp(0, farm[i], device);
            }
            farm[2].awaitText("held for review");
            assertThat(h.queryLong("SELECT count(*) FROM ad_users WHERE fingerprint = ? AND status = 'held'", device)).isEqualTo(3);
            assertThat(farm[2].points()).as("a held account earns nothing").isZero();
            assertThat(boss.points()).as("two referrals credited before the farm showed").isEqualTo(200);

            // an admin approves the third: it becomes verified and its referral is credited once
            Answer approved = h.admin("POST", "api/users/" + farm[2].no() + "/approve", "{}");
            assertThat(approved.status()).isEqualTo(200);
            farm[2].awaitText("An admin approved your account");
            assertThat(boss.points()).isEqualTo(250);
            assertThat(h.admin("POST", "api/users/" + farm[2].no() + "/approve", "{}").body().path("result").asText())
                    .contains("verified already");
            assertThat(boss.points()).isEqualTo(250);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tasks_eachCreditsOnceAndSubmissionsAreReviewed(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User user = h.newUser("Hana", AirdropHarness.BOT_A);
            user.verifyInChat();
            long custom = h.admin("POST", "api/tasks", "{\"kind\":\"custom\",\"title\":\"Read the blog\",\"points\":20,\"url\":\"https://example.org/blog\"}")
                    .body().path("id").asLong();
            long checkin = h.admin("POST", "api/tasks", "{\"kind\":\"checkin\",\"title\":\"Daily check-in\",\"points\":10}")
                    .body().path("id").asLong();
            long tweet = h.admin("POST", "api/tasks", "{\"kind\":\"submission\",\"title\":\"Tweet about us\",\"points\":30,"
                    + "\"pattern\":\"https://(x|twitter)\\\\.com/\\\\w+/status/\\\\d+\"}").body().path("id").asLong();
            assertThat(h.admin("POST", "api/tasks", "{\"kind\":\"channel\",\"title\":\"x\",\"points\":1,\"chat\":\"not a chat\"}").status())
                    .isEqualTo(400);

            user.text("/tasks");
            user.press("task:" + custom);
            user.awaitText("Done: Read the blog");
            user.text("/tasks");
            user.press("task:" + checkin);
            user.awaitText("day 1 in a row");
            // a double press: the second answer says done already, the points do not move
            user.press("task:" + checkin);
            user.awaitText("checked in today already");
            assertThat(user.points()).isEqualTo(100 + 20 + 10);

            user.text("/tasks");
            user.press("task:" + tweet);
            user.awaitText("Send your proof");
            user.text("https://example.org/not-a-tweet");
            user.awaitText("That is not what the task asks for");
            user.text("https://x.com/hana/status/12345");
            user.awaitText("sent for review");
            assertThat(h.admin("GET", "api/reviews", null).body().path("reviews").size()).isEqualTo(1);
            Answer review = h.admin("POST", "api/reviews", "{\"decision\":\"approve\",\"items\":[{\"user\":" + user.no()
                    + ",\"task\":" + tweet + "},{\"user\":" + user.no() + ",\"task\":" + tweet + "}]}");
            assertThat(review.body().path("changed").asInt()).isEqualTo(1);
            user.awaitText("was approved");
            assertThat(user.points()).isEqualTo(160);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void channelTask_isCheckedWithGetChatMember(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User user = h.newUser("Nora", AirdropHarness.BOT_A);
            user.verifyInChat();
            var channel = h.emulator.sim().createGroup("Airdrop news", "channel", "airdrop_news",
                    Map.of(AirdropHarness.BOT_A, "administrator"));
            var hidden = h.emulator.sim().createGroup("Hidden", "channel", "hidden_news", Map.of());
            long task = h.admin("POST", "api/tasks", "{\"kind\":\"channel\",\"title\":\"our channel\",\"points\":40,"
                    + "\"chat\":\"@airdrop_news\",\"url\":\"https://t.me/airdrop_news\"}").body().path("id").asLong();
            long broken = h.admin("POST", "api/tasks", "{\"kind\":\"channel\",\"title\":\"hidden\",\"points\":40,"
                    + "\"chat\":\"@hidden_news\"}").body().path("id").asLong();
            user.text("/tasks");
            user.press("task:" + task);
            user.awaitText("You are not a member of our channel yet");
            h.emulator.sim().setMember(channel, user.id(), "member");
            user.press("task:" + task);
            user.awaitText("Done: our channel");
            assertThat(user.points()).isEqualTo(140);
            user.press("task:" + task);
            user.awaitText("done this task already");
            user.press("task:" + broken);
            user.awaitText("could not be checked right now");
            assertThat(user.points()).isEqualTo(140);
            assertThat(hidden).isNotNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void walletsAndClaims(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User user = h.newUser("Ivan", AirdropHarness.BOT_A);
            user.verifyInChat();
            User other = h.newUser("Jane", AirdropHarness.BOT_A);
            other.verifyInChat();
            user.text("/wallet 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
            user.awaitText("Wallet saved (evm)");
            other.text("/wallet 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"); // the same account, lower case
            other.awaitText("used by another account");
            user.text("/wallet 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"); // a wrong checksum
            user.awaitText("That address is not valid");
            user.text("/wallet 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
            user.awaitText("changed your wallet recently");

            user.text("/claim");
            user.awaitText("Claims are not open yet");
            h.jdbi.useHandle(handle -> handle.execute("UPDATE ad_users SET points = points + 1000 WHERE user_id = ?", user.id()));
            h.jdbi.useHandle(handle -> handle.execute("INSERT INTO ad_ledger (user_no, amount, kind, idem_key, created_at) VALUES (?, 1000, 'admin', 'test-grant', 0)", user.no()));
            assertThat(h.admin("POST", "api/settings", "{\"claims_open\":true}").status()).isEqualTo(200);
            user.awaitText("Claims are open");
            user.text("/claim");
            user.awaitText("Claim #");
            user.text("/claim");
            user.awaitText("is open");
            assertThat(user.points()).isZero();
            long claim = h.queryLong("SELECT id FROM ad_claims WHERE user_no = ?", user.no());
            Answer csv = h.admin("GET", "export/claims.csv?status=open&mark=exported", null);
            assertThat(csv.body().path("raw").asText()).contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").contains(",1100,");
            assertThat(h.queryText("SELECT status FROM ad_claims WHERE id = ?", claim)).isEqualTo("exported");
            assertThat(h.admin("POST", "api/claims/" + claim + "/reject", "{\"reason\":\"duplicate person\"}").status()).isEqualTo(200);
            user.awaitText("was rejected: duplicate person");
            assertThat(user.points()).isEqualTo(1100);
            user.text("/claim");
            user.awaitText("Claim #");
            assertThat(h.admin("POST", "api/claims/paid", "{\"ids\":[" + (claim + 1) + "]}").body().path("paid").asInt()).isEqualTo(1);
            user.awaitText("was paid");
            assertThat(h.admin("POST", "api/claims/paid", "{\"ids\":[" + (claim + 1) + "]}").body().path("paid").asInt()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void maintenanceAndBan_noticeInsteadOfAction(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User admin = h.newUser("Admin", AirdropHarness.BOT_A); // the first user is ADMIN_IDS' admin, who maintenance spares
            User user = h.newUser("Kim", AirdropHarness.BOT_A);
            user.verifyInChat();
            h.admin("POST", "api/settings", "{\"maintenance\":true}");
            user.text("/balance");
            user.awaitText("in maintenance");
            admin.start("");
            admin.text("/stats");
            admin.awaitText("verified: 1");
            admin.text("/ban " + user.no() + " spam");
            user.awaitText("You are banned from this airdrop: spam");
            admin.text("/ban");
            admin.awaitText("Usage: /ban NUMBER [reason]");
            admin.text("/unban " + user.no());
            admin.awaitText("no longer banned");
            h.admin("POST", "api/settings", "{\"maintenance\":false}");
            user.text("/balance");
            user.awaitText("Your points: 100");
            user.text("/top");
            user.awaitText("Leaderboard");
            assertThat(h.admin("GET", "api/users/" + user.no(), null).body().path("ledger_sum").asLong()).isEqualTo(100);
            assertThat(h.admin("GET", "api/users/999999", null).status()).isEqualTo(404);
            assertThat(h.admin("GET", "api/users/abc", null).status()).isEqualTo(400);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dashboardBroadcast_reachesTheSegmentOnceThroughTheRuntimesBroadcasts(Backend backend) throws Exception {
        try (AirdropHarness h = harness(backend, settings())) {
            User verified = h.newUser("Olga", AirdropHarness.BOT_A);
            verified.verifyInChat();
            User other = h.newUser("Pete", AirdropHarness.BOT_B);
            other.verifyInChat();
            User newcomer = h.newUser("Quinn", AirdropHarness.BOT_A);
            newcomer.start("");
            newcomer.awaitText("Welcome to the airdrop");
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                            + h.runtimes.get(0).httpPort() + "/admin/api/broadcasts"))
                    .header("Authorization", "Bearer " + h.env.get("ADMIN_PASSWORD")).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"text\":\"Snapshot tomorrow\",\"segment\":\"verified\"}")).build();
            assertThat(AirdropHarness.HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            verified.awaitText("Snapshot tomorrow");
            other.awaitText("Snapshot tomorrow");
            await().atMost(Duration.ofSeconds(20)).until(() -> "done".equals(h.queryText("SELECT status FROM broadcasts")));
            assertThat(h.queryLong("SELECT queued FROM broadcasts")).isEqualTo(2);
            assertThat(newcomer.inbox()).noneMatch(event -> event.payload().path("text").asText().contains("Snapshot"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ranks_comeFromTheRankCountsWithinSeconds(Backend backend) {
        try (AirdropHarness h = harness(backend, settings())) {
            User first = h.newUser("Lea", AirdropHarness.BOT_A);
            first.verifyInChat();
            User second = h.newUser("Max", AirdropHarness.BOT_A);
            second.start(first.referralCode());
            second.verifyInChat();
            await().atMost(Duration.ofSeconds(20)).until(() -> h.queryLong("SELECT COALESCE(SUM(users), 0) FROM ad_rank_counts") == 2);
            assertThat(h.queryLong("SELECT users FROM ad_rank_counts WHERE points = 150")).isEqualTo(1);
            second.text("/balance");
            second.awaitText("(rank #2)");
        }
    }

    private static Answer session(AirdropHarness h, String initData) {
        return h.api(0, "POST", "api/session", null, AirdropHarness.JSON.createObjectNode().put("init_data", initData).toString());
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

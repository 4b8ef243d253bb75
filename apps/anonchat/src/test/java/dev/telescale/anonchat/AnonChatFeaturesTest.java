package dev.telescale.anonchat;

import static dev.telescale.anonchat.ChatHarness.BOT_A;
import static dev.telescale.anonchat.ChatHarness.BOT_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.telescale.anonchat.ChatHarness.Backend;
import dev.telescale.anonchat.ChatHarness.User;
import dev.telescale.emulator.state.InboxEvent;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VIP, referrals, filters, time-outs, safety and admin tools, end to end through the emulator. */
class AnonChatFeaturesTest {
    @TempDir
    Path dataDir;
    ChatHarness harness;

    ChatHarness start(Backend backend, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("ANONCHAT_NEW_USER_MEDIA_DELAY", "0s"));
        env.putAll(overrides);
        AnonChatSettings settings = switch (AnonChatSettings.fromEnvironment(env, Set.of(ChatHarness.ADMIN))) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> throw new IllegalArgumentException(invalid.problems().toString());
        };
        harness = new ChatHarness(backend, dataDir, settings);
        harness.startInstance();
        return harness;
    }

    Jdbi db() {
        return Jdbi.create(harness.runtimes.get(0).database().dataSource());
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void vipBoughtWithStarsFiltersPartnersAndARefundTakesItBack(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User vip = harness.onboarded("Vic", "vic_x", "en", BOT_A, "m", 30);
        vip.text("/filter");
        vip.awaitText("VIP feature");
        vip.text("/vip");
        vip.press("buy:7");
        InboxEvent invoice = vip.awaitMessage("the invoice", m -> m.has("invoice"));
        assertThat(invoice.payload().path("invoice").path("currency").asText()).isEqualTo("XTR");
        assertThat(invoice.payload().path("invoice").path("total_amount").asInt()).isEqualTo(50);
        harness.emulator.sim().pay(vip.id(), BOT_A, invoice.messageId());
        vip.awaitText("You are VIP until");

        vip.text("/filter");
        vip.press("f:g:f");
        User man = harness.onboarded("Mo", "mo_x", "en", BOT_B, "m", 25);
        User woman = harness.onboarded("Wendy", "wendy_x", "en", BOT_B, "f", 26);
        man.text("/search");
        man.awaitText("Looking for a partner");
        woman.text("/search");
        man.awaitText("Partner found"); // the man and the woman meet: neither filters
        woman.awaitText("Partner found");
        man.text("/stop");
        User woman2 = harness.onboarded("Wanda", "wanda_x", "en", BOT_B, "f", 27);
        User man2 = harness.onboarded("Max", "max_x", "en", BOT_B, "m", 27);
        man2.text("/search");
        man2.awaitText("Looking for a partner");
        vip.text("/search");
        vip.awaitText("matches your filters");
        woman2.text("/search");
        vip.awaitText("Partner found");
        woman2.awaitText("Partner found");
        long vipPartner = db().withHandle(h -> h.createQuery("SELECT partner_id FROM ac_active WHERE user_id = :u")
                .bind("u", vip.id()).mapTo(Long.class).one());
        assertThat(vipPartner).as("the VIP's filter picked the woman, not the man who waited longer").isEqualTo(woman2.id());

        String charge = db().withHandle(h -> h.createQuery("SELECT charge_id FROM ac_payments").mapTo(String.class).one());
        admin.text("/refund " + charge);
        vip.awaitText("refunded");
        long vipUntil = db().withHandle(h -> h.createQuery("SELECT vip_until FROM ac_users WHERE user_id = :u")
                .bind("u", vip.id()).mapTo(Long.class).one());
        assertThat(vipUntil).isLessThanOrEqualTo(System.currentTimeMillis());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void invitesCountOnceAfterOnboardingAndEarnVip(Backend backend) {
        start(backend, Map.of("ANONCHAT_REFERRAL_INVITES", "2", "ANONCHAT_REFERRAL_VIP_DAYS", "3"));
        User inviter = harness.onboarded("Ina", "ina_x", "en", BOT_A, "f", 30);
        long no = db().withHandle(h -> h.createQuery("SELECT no FROM ac_users WHERE user_id = :u").bind("u", inviter.id())
                .mapTo(Long.class).one());
        User first = harness.newUser("Fi", "fi_x", "en", BOT_B);
        harness.emulator.sim().start(first.id(), BOT_B, "r" + no);
        first.awaitText("Who are you?");
        harness.emulator.sim().start(first.id(), BOT_B, "r" + no); // a second /start does not count twice
        harness.onboard(first, "m", 22, "r" + no);
        inviter.awaitText("1 of 2");
        harness.onboard(harness.newUser("Se", "se_x", "en", BOT_A), "f", 23, "r" + no);
        inviter.awaitText("earned you 3 days of VIP");
        assertThat((Integer) db().withHandle(h -> h.createQuery("SELECT invites FROM ac_users WHERE user_id = :u")
                .bind("u", inviter.id()).mapTo(Integer.class).one())).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reportsPutAUserInACooldownAndAdminsCanLiftIt(Backend backend) {
        start(backend, Map.of("ANONCHAT_REPORTS_FOR_PENALTY", "1"));
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User[] pair = harness.pair("Rude", "Polite");
        pair[0].text("visit https://spam.example now");
        pair[0].awaitText("Links are not allowed");
        pair[0].text("hey @someone_else look");
        pair[0].awaitText("@mentions are not allowed");
        pair[1].text("/report");
        InboxEvent reasons = pair[1].awaitText("Why do you report");
        String spam = ChatHarness.buttonData(reasons.payload()).stream().filter(d -> d.endsWith(":spam")).findFirst().orElseThrow();
        harness.emulator.sim().press(pair[1].id(), pair[1].bot, 0, reasons.messageId(), spam, null);
        pair[0].awaitText("You cannot search until");
        pair[1].awaitText("Your partner ended the chat");
        pair[0].text("/search");
        pair[0].awaitText("You cannot search until");

        admin.text("/reports");
        admin.awaitText("No open reports"); // the automatic penalty actioned it
        long no = db().withHandle(h -> h.createQuery("SELECT no FROM ac_users WHERE user_id = :u").bind("u", pair[0].id())
                .mapTo(Long.class).one());
        admin.text("/unban " + no);
        pair[0].awaitText("Your ban was lifted");
        admin.text("/ban " + no + " 2h insults");
        pair[0].awaitText("You cannot search until");
        admin.text("/stats");
        InboxEvent stats = admin.awaitText("Statistics");
        assertThat(stats.payload().path("text").asText()).contains("Users: 3").contains("Banned now: 1");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBroadcastReachesEveryUserOfEveryBotOnce(Backend backend) {
        start(backend, Map.of());
        User admin = harness.onboarded("Admin", "admin_x", "en", BOT_A, "m", 40);
        User a = harness.onboarded("Ann", "ann_x", "en", BOT_A, "f", 20);
        User b = harness.onboarded("Ben", "ben_x", "ru", BOT_B, "m", 21);
        int news = admin.send("{\"photo\":\"news-photo\",\"caption\":\"Big news\"}").messageId();
        admin.send("{\"text\":\"/broadcast all\",\"reply_to\":" + news + "}");
        admin.awaitText("Broadcast #1");
        a.awaitMessage("the broadcast photo", m -> m.has("photo") && m.path("caption").asText().equals("Big news"));
        b.awaitMessage("the broadcast photo on the other bot", m -> m.has("photo") && m.path("caption").asText().equals("Big news"));
        admin.awaitText("fully queued: 3 recipients");
        assertThat(b.inbox().stream().filter(e -> e.payload().path("caption").asText().equals("Big news")).count()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void refusalsAreExplainedAndModeratorsSeeNumbersNeverNames(Backend backend) {
        harness = new ChatHarness(backend, dataDir, AnonChatSettings.defaults(Set.of()));
        User moderator = harness.newUser("Mod", "mod_x", "en", BOT_A);
        long channel = harness.emulator.sim().createGroup("Moderation", "supergroup", null,
                Map.of(BOT_A, "administrator", BOT_B, "administrator", moderator.id(), "member")).id();
        harness.settings = switch (AnonChatSettings.fromEnvironment(Map.of("ANONCHAT_NEW_USER_MEDIA_DELAY", "10m",
                "ANONCHAT_MESSAGES_PER_MINUTE", "3", "ANONCHAT_MODERATION_CHAT_ID", Long.toString(channel)), Set.of())) {
            case AnonChatSettings.Valid valid -> valid.settings();
            case AnonChatSettings.Invalid invalid -> throw new IllegalArgumentException(invalid.problems().toString());
        };
        harness.startInstance();
        User[] pair = harness.pair("Nina", "Otto");
        pair[0].send("{\"photo\":\"too-early\"}");
        pair[0].awaitText("New users can send media in 10 min");
        db().useHandle(h -> h.execute("UPDATE ac_users SET onboarded_at = 0"));
        pair[0].send("{\"photo\":\"later\",\"caption\":\"look\"}");
        pair[1].awaitMessage("the photo", m -> m.has("photo"));
        pair[0].text("two");
        pair[1].awaitText("two");
        pair[0].text("three");
        pair[0].awaitText("sending too fast");
        assertThat(pair[1].inbox().stream().filter(e -> e.payload().path("text").asText().equals("three")).count()).isZero();

        org.awaitility.Awaitility.await("the moderation copy").atMost(java.time.Duration.ofSeconds(20)).until(() ->
                harness.emulator.sim().inbox(moderator.id(), BOT_A, channel, 0).stream().anyMatch(e -> e.payload().has("photo")));
        for (InboxEvent event : harness.emulator.sim().inbox(moderator.id(), BOT_A, channel, 0)) {
            String json = event.payload().toString();
            assertThat(json).contains("#u").doesNotContain(Long.toString(pair[0].id())).doesNotContain("nina_handle")
                    .doesNotContain("Nina");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSearchTimesOutWithAMessageAndRussianUsersReadRussian(Backend backend) {
        start(backend, Map.of("ANONCHAT_SEARCH_TIMEOUT", "10s"));
        User ru = harness.onboarded("Иван", "ivan_x", "ru", BOT_B, "m", 30);
        ru.text("/search");
        ru.awaitText("Ищем собеседника");
        ru.await("the time-out", e -> e.payload().path("text").asText().contains("никого не нашлось")
                || e.payload().path("text").asText().contains("Никого не"));
        assertThat((Integer) db().withHandle(h -> h.createQuery("SELECT count(*) FROM ac_queue").mapTo(Integer.class).one())).isZero();
    }
}

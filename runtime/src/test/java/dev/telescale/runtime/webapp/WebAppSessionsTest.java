package dev.telescale.runtime.webapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telescale.runtime.bot.BotToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebAppSessionsTest {
    static final BotToken BOT = new BotToken("1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final BotToken OTHER_BOT = new BotToken("7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final BotToken NEW_TOKEN_SAME_BOT = new BotToken("1234567:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final long ALICE = 279058397L;
    static final long BOB = 42L;

    final AtomicLong now = new AtomicLong(Instant.parse("2026-11-22T10:00:00.250Z").toEpochMilli());
    final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    final WebAppSessions sessions = new WebAppSessions(clock, Duration.ofMinutes(15));

    @Test
    void issue_writesBotUserExpiryAndMac() {
        String session = sessions.issue(BOT, ALICE);

        String expires = Long.toString(Instant.parse("2026-11-22T10:15:00Z").getEpochSecond());
        assertThat(session).startsWith("1234567." + ALICE + "." + expires + ".");
        assertThat(session.substring(session.lastIndexOf('.') + 1)).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void issue_macIsKeyedByTheTokenAsDocumented() throws Exception {
        String session = sessions.issue(BOT, ALICE);
        String payload = session.substring(0, session.lastIndexOf('.'));

        Mac derive = Mac.getInstance("HmacSHA256");
        derive.init(new SecretKeySpec("TelescaleWebAppSession".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] key = derive.doFinal(BOT.value().getBytes(StandardCharsets.UTF_8));
        Mac sign = Mac.getInstance("HmacSHA256");
        sign.init(new SecretKeySpec(key, "HmacSHA256"));
        String mac = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sign.doFinal(payload.getBytes(StandardCharsets.UTF_8)));

        assertThat(session).endsWith("." + mac);
    }

    @Test
    void verify_ofAFreshSession_givesTheUser() {
        assertThat(sessions.verify(BOT, sessions.issue(BOT, ALICE))).isEqualTo(OptionalLong.of(ALICE));
        assertThat(sessions.verify(BOT, sessions.issue(BOT, BOB))).isEqualTo(OptionalLong.of(BOB));
    }

    @Test
    void verify_onAnotherInstance_acceptsTheSession() {
        String session = sessions.issue(BOT, ALICE);

        assertThat(new WebAppSessions(clock, Duration.ofMinutes(15)).verify(BOT, session)).hasValue(ALICE);
    }

    @Test
    void verify_afterTheTimeToLive_refuses() {
        String session = sessions.issue(BOT, ALICE);

        now.set(Instant.parse("2026-11-22T10:14:59.999Z").toEpochMilli());
        assertThat(sessions.verify(BOT, session)).hasValue(ALICE);
        now.set(Instant.parse("2026-11-22T10:15:00Z").toEpochMilli());
        assertThat(sessions.verify(BOT, session)).isEmpty();
        now.addAndGet(Duration.ofDays(1).toMillis());
        assertThat(sessions.verify(BOT, session)).isEmpty();
    }

    @Test
    void verify_withAnotherBotOrANewToken_refuses() {
        String session = sessions.issue(BOT, ALICE);

        assertThat(sessions.verify(OTHER_BOT, session)).isEmpty();
        assertThat(sessions.verify(NEW_TOKEN_SAME_BOT, session)).isEmpty();
        // the other bot's id written in front of a MAC made with the first bot's key
        assertThat(sessions.verify(OTHER_BOT, session.replaceFirst("^1234567\\.", "7654321."))).isEmpty();
    }

    @Test
    void verify_ofATamperedSession_refuses() {
        String session = sessions.issue(BOT, ALICE);
        String[] parts = session.split("\\.");
        String mac = parts[3];
        long expires = Long.parseLong(parts[2]);

        List<String> tampered = List.of(
                parts[0] + "." + BOB + "." + parts[2] + "." + mac, // another user
                parts[0] + "." + parts[1] + "." + (expires + 86_400) + "." + mac, // a later expiry
                parts[0] + "." + parts[1] + "." + parts[2] + "." + flip(mac), // a changed MAC
                parts[0] + "." + parts[1] + "." + parts[2] + "." + mac.substring(1), // a shorter MAC
                parts[0] + "." + parts[1] + "." + parts[2] + "." + mac + "A", // a longer MAC
                parts[0] + "." + parts[1] + "." + parts[2] + "." + mac + ".x", // a fifth part
                parts[0] + "." + parts[1] + "." + parts[2], // no MAC
                parts[0] + ".0" + parts[1] + "." + parts[2] + "." + mac, // the same number written otherwise
                parts[0] + ".+" + parts[1] + "." + parts[2] + "." + mac,
                " " + session,
                session + " ");
        for (String forged : tampered) {
            assertThat(sessions.verify(BOT, forged)).as(forged).isEmpty();
        }
    }

    @Test
    void verify_ofGarbage_refusesWithoutThrowing() {
        for (String garbage : List.of("", ".", "...", "a.b.c.d", "1234567", "1234567...", "-1.-1.-1.x",
                "1234567.99999999999999999999.1.x", "1234567.1.99999999999999999999.x", "1234567.1.1.\uD800",
                "1234567.1.1." + "A".repeat(10_000), "١٢٣.1.1.x")) {
            assertThat(sessions.verify(BOT, garbage)).as(garbage).isEmpty();
        }
        assertThat(sessions.verify(BOT, null)).isEmpty();
    }

    @Test
    void botIdOf_readsTheClaimedBot() {
        assertThat(WebAppSessions.botIdOf(sessions.issue(BOT, ALICE))).hasValue(1234567L);
        assertThat(WebAppSessions.botIdOf(sessions.issue(OTHER_BOT, ALICE))).hasValue(7654321L);
        for (String garbage : List.of("", "1234567", ".1.2.x", "0.1.2.x", "01234567.1.2.x", "abc.1.2.x",
                "99999999999999999999.1.2.x", "1234567." + "x".repeat(200))) {
            assertThat(WebAppSessions.botIdOf(garbage)).as(garbage).isEmpty();
        }
        assertThat(WebAppSessions.botIdOf(null)).isEmpty();
    }

    @Test
    void issue_forNoUser_refuses() {
        assertThatThrownBy(() -> sessions.issue(BOT, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sessions.issue(BOT, -5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_withLessThanASecond_refuses() {
        assertThatThrownBy(() -> new WebAppSessions(clock, Duration.ofMillis(999)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String flip(String mac) {
        char first = mac.charAt(0);
        return (first == 'A' ? 'B' : 'A') + mac.substring(1);
    }
}

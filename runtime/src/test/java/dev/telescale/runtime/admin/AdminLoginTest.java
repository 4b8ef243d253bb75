package dev.telescale.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdminLoginTest {
    final AtomicLong now = new AtomicLong(Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
    final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    @Test
    void aSessionIsValidUntilItExpires() {
        AdminLogin login = new AdminLogin("correct horse battery", clock);
        String session = login.newSession();
        assertThat(login.validSession(session)).isTrue();
        now.addAndGet(AdminLogin.SESSION_LENGTH.toMillis() - 1);
        assertThat(login.validSession(session)).isTrue();
        now.addAndGet(1);
        assertThat(login.validSession(session)).isFalse();
    }

    @Test
    void anotherInstanceWithTheSamePasswordAcceptsTheSessionAndANewPasswordEndsIt() {
        String session = new AdminLogin("correct horse battery", clock).newSession();
        assertThat(new AdminLogin("correct horse battery", clock).validSession(session)).isTrue();
        assertThat(new AdminLogin("another long password", clock).validSession(session)).isFalse();
    }

    @Test
    void forgedOrMangledSessionsAreRefused() {
        AdminLogin login = new AdminLogin("correct horse battery", clock);
        String session = login.newSession();
        String signature = session.substring(session.indexOf('.') + 1);
        long later = Long.parseLong(session.substring(0, session.indexOf('.'))) + 1_000_000;
        assertThat(login.validSession(later + "." + signature)).isFalse(); // a longer expiry with the old signature
        assertThat(login.validSession(null)).isFalse();
        assertThat(login.validSession("")).isFalse();
        assertThat(login.validSession(".abc")).isFalse();
        assertThat(login.validSession("notanumber.abc")).isFalse();
        assertThat(login.validSession(session.substring(0, session.length() - 1))).isFalse();
    }

    @Test
    void passwordsAndBearerHeadersMustMatchExactly() {
        AdminLogin login = new AdminLogin("correct horse battery", clock);
        assertThat(login.passwordMatches("correct horse battery")).isTrue();
        assertThat(login.passwordMatches("correct horse batter")).isFalse();
        assertThat(login.passwordMatches(null)).isFalse();
        assertThat(login.validBearer("Bearer correct horse battery")).isTrue();
        assertThat(login.validBearer("Basic correct horse battery")).isFalse();
        assertThat(login.validBearer(null)).isFalse();
    }
}

package dev.telescale.runtime.webapp;

import dev.telescale.runtime.bot.BotToken;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived session tokens for a Mini App's page, given once its init data was accepted
 * ({@link InitDataValidator}), so the page sends these instead of reusing the init data.
 *
 * <p>A session is {@code <bot id>.<user id>.<expiry, epoch seconds>.<mac>}: the MAC is
 * base64url(HMAC-SHA256) of the three numbers as written, under a key derived from the bot's token
 * (HMAC-SHA256 with key "TelescaleWebAppSession", message the token, as {@code WebhookSecrets}
 * derives its secrets). So any instance that hosts the bot verifies a session another issued, with
 * nothing stored or shared; a session is bound to its bot and user; and a new token (revoked in
 * BotFather) ends every session of that bot. A single session cannot be revoked: keep the time to
 * live short. Numbers must be written as issued (no sign, no leading zero), because the MAC covers
 * the text; the MAC is compared in constant time. Sessions are not secret from their user but are
 * bearer credentials: send them over https only.
 *
 * <p>{@link #verify} and {@link #botIdOf} never throw, whatever the session text. Derived keys are
 * kept per token (every request of the page is verified). Thread-safe.
 */
public final class WebAppSessions {
    /** Longer than any session this class issues (four numbers and 43 characters of MAC). */
    static final int MAX_LENGTH = 128;
    private static final byte[] KEY_LABEL = "TelescaleWebAppSession".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,18}");

    private final InstantSource clock;
    private final Duration ttl;
    private final Map<BotToken, SecretKeySpec> keys = new ConcurrentHashMap<>();

    /** @param ttl how long a session is valid, at least a second (whole seconds; a fraction is dropped) */
    public WebAppSessions(InstantSource clock, Duration ttl) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl == null || ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("a session's time to live must be at least a second, not " + ttl);
        }
        this.ttl = ttl;
    }

    /**
     * A new session for this user of this bot, valid for the time to live.
     *
     * @throws IllegalArgumentException for a user id that is not above 0
     */
    public String issue(BotToken bot, long userId) {
        if (userId <= 0) {
            throw new IllegalArgumentException("a user id is above 0, not " + userId);
        }
        long expires = Math.floorDiv(clock.millis(), 1000) + ttl.toSeconds();
        String payload = bot.botId() + "." + userId + "." + expires;
        return payload + "." + mac(bot, payload);
    }

    /**
     * The bot a session claims to belong to, to pick the token that {@link #verify} needs; empty when
     * it has no such part. Says nothing about whether the session is valid.
     */
    public static OptionalLong botIdOf(String session) {
        if (session == null || session.length() > MAX_LENGTH) {
            return OptionalLong.empty();
        }
        int dot = session.indexOf('.');
        return dot < 0 ? OptionalLong.empty() : number(session.substring(0, dot));
    }

    /** The session's user id when this bot issued it and it has not expired; empty otherwise. */
    public OptionalLong verify(BotToken bot, String session) {
        if (session == null || session.length() > MAX_LENGTH) {
            return OptionalLong.empty();
        }
        String[] parts = session.split("\\.", -1);
        if (parts.length != 4) {
            return OptionalLong.empty();
        }
        OptionalLong botId = number(parts[0]);
        OptionalLong userId = number(parts[1]);
        OptionalLong expires = number(parts[2]);
        if (botId.isEmpty() || userId.isEmpty() || expires.isEmpty() || botId.getAsLong() != bot.botId()) {
            return OptionalLong.empty();
        }
        String payload = parts[0] + "." + parts[1] + "." + parts[2];
        boolean genuine = MessageDigest.isEqual(mac(bot, payload).getBytes(StandardCharsets.US_ASCII),
                parts[3].getBytes(StandardCharsets.UTF_8));
        if (!genuine || Math.floorDiv(clock.millis(), 1000) >= expires.getAsLong()) {
            return OptionalLong.empty();
        }
        return userId;
    }

    /** A number above 0 as issue writes it, else empty. */
    private static OptionalLong number(String text) {
        if (!NUMBER.matcher(text).matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // above Long.MAX_VALUE
        }
    }

    private String mac(BotToken bot, String payload) {
        SecretKeySpec key = keys.computeIfAbsent(bot, token -> new SecretKeySpec(
                hmac(new SecretKeySpec(KEY_LABEL, "HmacSHA256"), token.value().getBytes(StandardCharsets.UTF_8)),
                "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(hmac(key, payload.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] hmac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}

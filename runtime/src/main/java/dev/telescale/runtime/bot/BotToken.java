package dev.telescale.runtime.bot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A bot token. The raw token is a secret: {@link #toString()} and {@link #redacted()} never show
 * it, and {@link #webhookKey()} is what appears in webhook URLs and logs instead.
 */
public record BotToken(String value) {
    private static final Pattern SHAPE = Pattern.compile("[1-9][0-9]{0,15}:[A-Za-z0-9_-]{24,}");

    public BotToken {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a bot token (expected <bot id>:<secret of 24+ letters, digits, - or _>)");
        }
    }

    public static boolean isWellFormed(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }

    /** The bot's user id, the number before the colon. */
    public long botId() {
        return Long.parseLong(value.substring(0, value.indexOf(':')));
    }

    /** "123456:…" for logs. */
    public String redacted() {
        return botId() + ":…";
    }

    /** A stable, unguessable path segment for this bot's webhook: base64url(SHA-256(token)), 22 chars. */
    public String webhookKey() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return redacted();
    }
}

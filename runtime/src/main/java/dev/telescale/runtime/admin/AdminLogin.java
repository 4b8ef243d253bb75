package dev.telescale.runtime.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The admin dashboard's login: one password (ADMIN_PASSWORD) and stateless session cookies, so
 * any instance behind a load balancer accepts a session another instance issued, with nothing
 * shared but the password. A session value is {@code <expiry millis>.<HMAC-SHA256(expiry)>} under
 * a key derived from the password: changing the password ends every session. Comparisons take
 * constant time. Thread-safe.
 */
public final class AdminLogin {
    public static final String COOKIE = "telescale_admin";
    static final Duration SESSION_LENGTH = Duration.ofHours(12);

    private final byte[] password;
    private final SecretKeySpec key;
    private final InstantSource clock;

    public AdminLogin(String password, InstantSource clock) {
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(this.password, "HmacSHA256"),
                "telescale admin session key"), "HmacSHA256");
    }

    /** Whether a typed password is the configured one. */
    public boolean passwordMatches(String typed) {
        return typed != null && MessageDigest.isEqual(password, typed.getBytes(StandardCharsets.UTF_8));
    }

    /** A new session value, valid for {@link #SESSION_LENGTH}. */
    public String newSession() {
        long expiry = clock.millis() + SESSION_LENGTH.toMillis();
        return expiry + "." + signature(expiry);
    }

    /** Whether a cookie value is a session this password issued and that has not expired. */
    public boolean validSession(String value) {
        if (value == null) {
            return false;
        }
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (expiry <= clock.millis()) {
            return false;
        }
        return MessageDigest.isEqual(signature(expiry).getBytes(StandardCharsets.US_ASCII),
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    /** The password from an {@code Authorization: Bearer} header, for scripts. */
    public boolean validBearer(String header) {
        return Optional.ofNullable(header).filter(h -> h.startsWith("Bearer "))
                .map(h -> passwordMatches(h.substring("Bearer ".length()).trim())).orElse(false);
    }

    private String signature(long expiry) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, Long.toString(expiry)));
    }

    private static byte[] hmac(SecretKeySpec key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}

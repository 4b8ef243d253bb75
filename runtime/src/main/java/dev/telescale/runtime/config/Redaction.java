package dev.telescale.runtime.config;

import java.util.regex.Pattern;

/** Hides secrets in values that may be shown in problems and logs. Stateless. */
final class Redaction {
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:]*):[^/@]*@");
    private static final Pattern BOT_ID = Pattern.compile("[0-9]{1,16}");

    private Redaction() {
    }

    /** {@code scheme://user:secret@host} becomes {@code scheme://user:***@host}. */
    static String url(String url) {
        return URL_PASSWORD.matcher(url).replaceFirst("$1:***@");
    }

    /** What may be shown of a (possibly malformed) bot token: {@code "123456:…"}, or {@code "…"}. */
    static String token(String token) {
        int colon = token.indexOf(':');
        String head = colon < 0 ? "" : token.substring(0, colon);
        return BOT_ID.matcher(head).matches() ? head + ":…" : "…";
    }
}

package dev.telescale.anonchat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formatting helpers for texts sent with parse_mode HTML. */
final class Texts {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    /** A ban without end is stored as this time. */
    static final long FOREVER = 253_402_300_799_000L; // 9999-12-31

    private Texts() {
    }

    static String date(long epochMillis, String lang) {
        if (epochMillis >= FOREVER) {
            return lang.equals("ru") ? "навсегда" : "forever";
        }
        return DATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Escapes user-supplied text for parse_mode HTML. */
    static String html(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

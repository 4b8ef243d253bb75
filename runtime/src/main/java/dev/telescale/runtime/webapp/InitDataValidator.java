package dev.telescale.runtime.webapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.json.Json;
import dev.telescale.runtime.webapp.InitDataCheck.Invalid;
import dev.telescale.runtime.webapp.InitDataCheck.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a Telegram Mini App's {@code initData} (the raw query string the page got from
 * {@code Telegram.WebApp.initData}) for one bot, as Telegram documents it: the data-check-string
 * is every field but {@code hash}, sorted by name, as {@code name=value} lines joined by "\n"; the
 * key is HMAC-SHA256(key "WebAppData", message the bot token); the data is genuine when
 * HMAC-SHA256(key, data-check-string) is the hex {@code hash}, compared in constant time. The Login
 * Widget's key (SHA-256 of the token) is a different key, so its data fails here.
 *
 * <p>Subtleties:
 * <ul>
 * <li>Newer clients add {@code signature} (Ed25519, for third parties). Libraries disagree on
 *     whether it belongs in the data-check-string; Telegram includes it. Both are accepted: first
 *     with it, then without it.</li>
 * <li>Decoding is URLSearchParams' ({@code +} is a space, then percent-decoding as UTF-8), but
 *     strict: a {@code %} without two hex digits, bytes that are not UTF-8, a field twice or a field
 *     without a name is MALFORMED rather than guessed at. So is a newline in a field, or {@code =}
 *     in a name: those would let a client regroup signed lines into other fields under the same
 *     hash (the data-check-string must map back to exactly one set of fields).</li>
 * <li>The signature is checked before anything in the fields is interpreted; a genuine one with a
 *     bad {@code auth_date} or {@code user} is still MALFORMED. {@code user} must be a JSON object
 *     whose {@code id} is a JSON integer above 0 ({@code 1.5}, {@code 1e3}, {@code "12"} are not).</li>
 * <li>Stale: older than {@code maxAge}. From the future: more than {@link #CLOCK_SKEW} ahead of the
 *     clock (a server whose clock is behind should still accept fresh data).</li>
 * <li>Input is bounded ({@link #MAX_LENGTH}) and {@link #check} never throws for any init data;
 *     refusals carry a fixed English sentence that quotes nothing the client sent.</li>
 * </ul>
 * The derived key is not cached: init data is checked once per page load, and a session
 * ({@link WebAppSessions}) carries the user after that. Immutable and thread-safe.
 */
public final class InitDataValidator {
    /** The longest init data accepted, in characters (real ones are under 1 KB). */
    public static final int MAX_LENGTH = 8192;
    /** How far ahead of this server's clock auth_date may be. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    private static final byte[] WEB_APP_DATA = "WebAppData".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,12}");
    private static final ObjectMapper MAPPER = Json.newMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Duration maxAge;
    private final InstantSource clock;

    /**
     * @param maxAge how old auth_date may be (the bot's choice: the page's lifetime, e.g. an hour)
     * @param clock  the time auth_date is compared with
     */
    public InitDataValidator(Duration maxAge, InstantSource clock) {
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be a duration above 0, not " + maxAge);
        }
        this.maxAge = maxAge;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param rawInitData the query string exactly as the page sent it; anything, even null
     * @param bot         the bot whose Mini App sent it
     */
    public InitDataCheck check(String rawInitData, BotToken bot) {
        Objects.requireNonNull(bot, "bot");
        if (rawInitData == null || rawInitData.isEmpty()) {
            return malformed("init data is empty");
        }
        if (rawInitData.length() > MAX_LENGTH) {
            return malformed("init data is longer than " + MAX_LENGTH + " characters");
        }
        SortedMap<String, String> fields = new TreeMap<>();
        Invalid parseProblem = parse(rawInitData, fields);
        if (parseProblem != null) {
            return parseProblem;
        }
        String hash = fields.remove("hash");
        if (hash == null) {
            return malformed("init data has no hash");
        }
        if (!HASH.matcher(hash).matches()) {
            return malformed("the hash of init data is not 64 hexadecimal digits");
        }
        if (!signedBy(bot, fields, HexFormat.of().parseHex(hash))) {
            return new Invalid(Reason.BAD_SIGNATURE, "init data is not signed by this bot");
        }

        String authDateText = fields.get("auth_date");
        if (authDateText == null || !SECONDS.matcher(authDateText).matches()) {
            return malformed("auth_date of init data is missing or not a whole number of seconds");
        }
        Instant authDate = Instant.ofEpochSecond(Long.parseLong(authDateText));
        String userText = fields.get("user");
        if (userText == null) {
            return malformed("init data has no user");
        }
        JsonNode user;
        try {
            user = MAPPER.readTree(userText);
        } catch (JsonProcessingException e) {
            return malformed("the user of init data is not JSON");
        }
        if (user == null || !user.isObject()) {
            return malformed("the user of init data is not a JSON object");
        }
        JsonNode id = user.get("id");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() <= 0) {
            return malformed("the user id of init data is not a whole number above 0");
        }

        Instant now = clock.instant();
        if (authDate.isAfter(now.plus(CLOCK_SKEW))) {
            return new Invalid(Reason.FROM_THE_FUTURE, "init data is dated more than " + spoken(CLOCK_SKEW)
                    + " in the future");
        }
        if (Duration.between(authDate, now).compareTo(maxAge) > 0) {
            return new Invalid(Reason.STALE, "init data is older than " + spoken(maxAge)
                    + "; reopen the app");
        }
        return new InitDataCheck.Valid(new WebAppInitData(bot.botId(), id.longValue(), user, authDate,
                fields.get("query_id"), fields.get("start_param"), hash, fields));
    }

    /** Telegram's data-check-string with {@code signature}, else the one without it. */
    private static boolean signedBy(BotToken bot, SortedMap<String, String> fields, byte[] hash) {
        byte[] key = hmac(WEB_APP_DATA, bot.value().getBytes(StandardCharsets.UTF_8));
        if (MessageDigest.isEqual(hmac(key, dataCheckString(fields, false)), hash)) {
            return true;
        }
        return fields.containsKey("signature")
                && MessageDigest.isEqual(hmac(key, dataCheckString(fields, true)), hash);
    }

    private static byte[] dataCheckString(SortedMap<String, String> fields, boolean withoutSignature) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (withoutSignature && field.getKey().equals("signature")) {
                continue;
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(field.getKey()).append('=').append(field.getValue());
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The query string's fields into {@code fields}; null, or why it is not one. */
    private static Invalid parse(String raw, Map<String, String> fields) {
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // as URLSearchParams: "a=1&&b=2"
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = decode(equals < 0 ? "" : pair.substring(equals + 1));
            if (name == null || value == null) {
                return malformed("init data is not a well-encoded query string");
            }
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\n') >= 0) {
                return malformed("init data has a field with an invalid name or value");
            }
            if (fields.putIfAbsent(name, value) != null) {
                return malformed("init data has a field twice");
            }
        }
        return null;
    }

    /** {@code +} as a space, {@code %XX} as a byte, the bytes as UTF-8; null when any of it is invalid. */
    private static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0 && text.chars().allMatch(c -> c < 0x80)) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int high = i + 2 < text.length() ? hexDigit(text.charAt(i + 1)) : -1;
                int low = i + 2 < text.length() ? hexDigit(text.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                int codePoint = text.codePointAt(i);
                if (Character.isSurrogate(c) && Character.charCount(codePoint) == 1) {
                    return null; // a lone surrogate
                }
                bytes.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** An ASCII hex digit's value, else -1 (Character.digit would take other scripts' digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** "2 hours", "10 minutes", "90 seconds". */
    static String spoken(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds >= 3600 && seconds % 3600 == 0) {
            return plural(seconds / 3600, "hour");
        }
        if (seconds >= 60 && seconds % 60 == 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }

    private static Invalid malformed(String message) {
        return new Invalid(Reason.MALFORMED, message);
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}

package dev.telescale.runtime.webapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.webapp.InitDataCheck.Invalid;
import dev.telescale.runtime.webapp.InitDataCheck.Reason;
import dev.telescale.runtime.webapp.InitDataCheck.Valid;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Init data is built here with a second implementation of Telegram's documented algorithm (the
 * Mini Apps guide), so the validator is checked against the documentation, not against itself.
 */
class InitDataValidatorTest {
    static final BotToken BOT = new BotToken("1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final BotToken OTHER_BOT = new BotToken("7654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final BotToken SAME_ID_OTHER_SECRET = new BotToken("1234567:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final String USER = "{\"id\":279058397,\"first_name\":\"Vladislav\",\"last_name\":\"Kibenko\","
            + "\"username\":\"vdkfrost\",\"language_code\":\"ru\",\"is_premium\":true,\"allows_write_to_pm\":true}";
    static final String SIGNATURE = "6fbdaab833d39f54518bd5c3eb3f511d035e68cb_fake-ed25519_signature_QAbC-x";

    final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    final InstantSource clock = () -> now.get();
    final InitDataValidator validator = new InitDataValidator(Duration.ofHours(1), clock);

    // ----- an independent implementation of the documented algorithm -----

    static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("query_id", "AAHdF6IQAAAAAN0XohDhrOrc");
        fields.put("user", USER);
        fields.put("auth_date", Long.toString(NOW.getEpochSecond()));
        fields.put("start_param", "ref_42");
        return fields;
    }

    static byte[] hmacSha256(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String dataCheckString(Map<String, String> fields, boolean withSignature) {
        List<String> lines = new ArrayList<>();
        new TreeMap<>(fields).forEach((name, value) -> {
            if (!name.equals("hash") && (withSignature || !name.equals("signature"))) {
                lines.add(name + "=" + value);
            }
        });
        return String.join("\n", lines);
    }

    static byte[] webAppKey(BotToken token) {
        return hmacSha256("WebAppData".getBytes(StandardCharsets.UTF_8), token.value());
    }

    static byte[] loginWidgetKey(BotToken token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.value().getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String hash(byte[] key, Map<String, String> fields, boolean withSignature) {
        return HexFormat.of().formatHex(hmacSha256(key, dataCheckString(fields, withSignature)));
    }

    /** The fields and their hash as a query string, as Telegram.WebApp.initData holds it. */
    static String query(Map<String, String> fields, String hash) {
        List<String> pairs = new ArrayList<>();
        fields.forEach((name, value) -> pairs.add(encode(name) + "=" + encode(value)));
        pairs.add("hash=" + hash);
        return String.join("&", pairs);
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8); // a space as '+', as URLSearchParams writes it
    }

    static String signed(Map<String, String> fields) {
        return query(fields, hash(webAppKey(BOT), fields, true));
    }

    static Reason reasonOf(InitDataCheck check) {
        assertThat(check).isInstanceOf(Invalid.class);
        return ((Invalid) check).reason();
    }

    static WebAppInitData dataOf(InitDataCheck check) {
        assertThat(check).as("%s", check).isInstanceOf(Valid.class);
        return ((Valid) check).data();
    }

    // ----- genuine data -----

    @Test
    void check_withGenuineData_givesTheVerifiedFields() {
        String raw = signed(fields());

        WebAppInitData data = dataOf(validator.check(raw, BOT));

        assertThat(data.botId()).isEqualTo(1234567L);
        assertThat(data.userId()).isEqualTo(279058397L);
        assertThat(data.user().get("username").asText()).isEqualTo("vdkfrost");
        assertThat(data.authDate()).isEqualTo(NOW);
        assertThat(data.queryId()).isEqualTo("AAHdF6IQAAAAAN0XohDhrOrc");
        assertThat(data.startParam()).isEqualTo("ref_42");
        assertThat(data.hash()).isEqualTo(raw.substring(raw.indexOf("hash=") + 5));
        assertThat(data.fields()).containsOnlyKeys("auth_date", "query_id", "start_param", "user")
                .containsEntry("user", USER);
    }

    @Test
    void check_withoutQueryIdOrStartParam_leavesThemNull() {
        Map<String, String> fields = fields();
        fields.remove("query_id");
        fields.remove("start_param");
        fields.put("chat_type", "sender");
        fields.put("chat_instance", "-8180813211238459041");

        WebAppInitData data = dataOf(validator.check(signed(fields), BOT));

        assertThat(data.queryId()).isNull();
        assertThat(data.startParam()).isNull();
        assertThat(data.fields()).containsEntry("chat_type", "sender");
    }

    @Test
    void check_withSignatureInTheDataCheckString_isValid() {
        Map<String, String> fields = fields();
        fields.put("signature", SIGNATURE);
        String raw = query(fields, hash(webAppKey(BOT), fields, true));

        WebAppInitData data = dataOf(validator.check(raw, BOT));

        assertThat(data.fields()).containsEntry("signature", SIGNATURE);
    }

    @Test
    void check_withSignatureLeftOutOfTheDataCheckString_isValid() {
        Map<String, String> fields = fields();
        fields.put("signature", SIGNATURE);
        String raw = query(fields, hash(webAppKey(BOT), fields, false));

        WebAppInitData data = dataOf(validator.check(raw, BOT));

        assertThat(data.fields()).containsEntry("signature", SIGNATURE);
    }

    @Test
    void check_withAnAlteredSignatureField_isBadSignatureEitherWay() {
        Map<String, String> fields = fields();
        fields.put("signature", SIGNATURE);
        String withIt = query(fields, hash(webAppKey(BOT), fields, true));

        assertThat(reasonOf(validator.check(withIt.replace("signature=6f", "signature=7f"), BOT)))
                .isEqualTo(Reason.BAD_SIGNATURE);
        // signed without it: dropping it keeps the hash right (the HMAC never covered it)
        String withoutIt = query(fields, hash(webAppKey(BOT), fields, false));
        assertThat(validator.check(withoutIt.replace("&signature=" + SIGNATURE, ""), BOT)).isInstanceOf(Valid.class);
    }

    @Test
    void check_withSpacesAndUnicode_decodesAsUrlSearchParams() {
        Map<String, String> fields = fields();
        fields.put("user", "{\"id\":7,\"first_name\":\"Zoë Ümlaut 🚀\",\"last_name\":\"a+b & c=d%\"}");
        String plusForSpace = signed(fields);
        String percentForSpace = plusForSpace.replace("+", "%20");
        String lowerCaseHex = plusForSpace.replace("%C3%AB", "%c3%ab");

        assertThat(plusForSpace).contains("Zo%C3%AB+%C3%9Cmlaut");
        for (String raw : List.of(plusForSpace, percentForSpace, lowerCaseHex)) {
            WebAppInitData data = dataOf(validator.check(raw, BOT));
            assertThat(data.user().get("first_name").asText()).isEqualTo("Zoë Ümlaut 🚀");
            assertThat(data.user().get("last_name").asText()).isEqualTo("a+b & c=d%");
        }
    }

    @Test
    void check_withAnUpperCaseHashOrEmptyPairs_isValid() {
        String raw = signed(fields());
        String upper = raw.substring(0, raw.indexOf("hash=") + 5) + raw.substring(raw.indexOf("hash=") + 5).toUpperCase();

        assertThat(validator.check(upper, BOT)).isInstanceOf(Valid.class);
        assertThat(validator.check("&" + raw.replace("&", "&&") + "&", BOT)).isInstanceOf(Valid.class);
    }

    // ----- forged or foreign -----

    @Test
    void check_withOneCharacterOfUserChanged_isBadSignature() {
        String raw = signed(fields());
        String forged = raw.replace("279058397", "279058398");

        assertThat(forged).isNotEqualTo(raw);
        InitDataCheck check = validator.check(forged, BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(((Invalid) check).message()).isEqualTo("init data is not signed by this bot");
    }

    @Test
    void check_withOneCharacterOfTheHashChanged_isBadSignature() {
        String raw = signed(fields());
        char last = raw.charAt(raw.length() - 1);
        String forged = raw.substring(0, raw.length() - 1) + (last == '0' ? '1' : '0');

        assertThat(reasonOf(validator.check(forged, BOT))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void check_withAnotherBotsToken_isBadSignature() {
        Map<String, String> fields = fields();

        assertThat(reasonOf(validator.check(query(fields, hash(webAppKey(OTHER_BOT), fields, true)), BOT)))
                .isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(validator.check(query(fields, hash(webAppKey(SAME_ID_OTHER_SECRET), fields, true)), BOT)))
                .isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(validator.check(signed(fields), OTHER_BOT))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void check_signedWithTheLoginWidgetsKey_isBadSignature() {
        Map<String, String> fields = fields();

        assertThat(reasonOf(validator.check(query(fields, hash(loginWidgetKey(BOT), fields, true)), BOT)))
                .isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(validator.check(query(fields, hash(loginWidgetKey(BOT), fields, false)), BOT)))
                .isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void check_withTheHashInsideTheDataCheckString_isBadSignature() {
        Map<String, String> fields = fields();
        String dcsWithHash = dataCheckString(fields, true) + "\nhash=";
        String wrong = HexFormat.of().formatHex(hmacSha256(webAppKey(BOT), dcsWithHash));

        assertThat(reasonOf(validator.check(query(fields, wrong), BOT))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void check_withSignedLinesRegroupedByANewline_isMalformed() {
        // auth_date, query_id, start_param, user sort in this order: "start_param=ref_42\nuser=..." as one value
        Map<String, String> fields = fields();
        String hash = hash(webAppKey(BOT), fields, true);
        String regrouped = "auth_date=" + NOW.getEpochSecond() + "&query_id=AAHdF6IQAAAAAN0XohDhrOrc&start_param="
                + encode("ref_42\nuser=" + USER) + "&hash=" + hash;

        assertThat(reasonOf(validator.check(regrouped, BOT))).isEqualTo(Reason.MALFORMED);
        String nameWithEquals = "auth_date=" + NOW.getEpochSecond() + "&query_id=AAHdF6IQAAAAAN0XohDhrOrc&"
                + encode("start_param=ref_42\nuser") + "=" + encode(USER) + "&hash=" + hash;
        assertThat(reasonOf(validator.check(nameWithEquals, BOT))).isEqualTo(Reason.MALFORMED);
    }

    // ----- time -----

    @Test
    void check_olderThanMaxAge_isStale() {
        String raw = signed(fields());

        now.set(NOW.plus(Duration.ofHours(1)));
        assertThat(validator.check(raw, BOT)).isInstanceOf(Valid.class);
        now.set(NOW.plus(Duration.ofHours(1)).plusSeconds(1));
        InitDataCheck check = validator.check(raw, BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.STALE);
        assertThat(((Invalid) check).message()).isEqualTo("init data is older than 1 hour; reopen the app");
    }

    @Test
    void check_moreThanAMinuteAhead_isFromTheFuture() {
        String raw = signed(fields());

        now.set(NOW.minusSeconds(60));
        assertThat(validator.check(raw, BOT)).isInstanceOf(Valid.class);
        now.set(NOW.minusSeconds(61));
        InitDataCheck check = validator.check(raw, BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.FROM_THE_FUTURE);
        assertThat(((Invalid) check).message()).isEqualTo("init data is dated more than 1 minute in the future");
    }

    @Test
    void check_withABadAuthDate_isMalformed() {
        for (String authDate : List.of("", "-5", "1.5", "soon", "1234567890123", " 1700000000")) {
            Map<String, String> fields = fields();
            fields.put("auth_date", authDate);

            assertThat(reasonOf(validator.check(signed(fields), BOT))).as(authDate).isEqualTo(Reason.MALFORMED);
        }
        Map<String, String> fields = fields();
        fields.remove("auth_date");
        assertThat(reasonOf(validator.check(signed(fields), BOT))).isEqualTo(Reason.MALFORMED);
    }

    // ----- malformed -----

    @Test
    void check_withoutHash_isMalformed() {
        String raw = signed(fields());
        String noHash = raw.substring(0, raw.indexOf("&hash="));

        InitDataCheck check = validator.check(noHash, BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.MALFORMED);
        assertThat(((Invalid) check).message()).isEqualTo("init data has no hash");
        assertThat(reasonOf(validator.check(noHash + "&hash=", BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check(noHash + "&hash=abc", BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check(noHash + "&hash=" + "g".repeat(64), BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withADuplicatedKey_isMalformed() {
        String raw = signed(fields());

        InitDataCheck check = validator.check(raw + "&user=" + encode("{\"id\":1}"), BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.MALFORMED);
        assertThat(((Invalid) check).message()).isEqualTo("init data has a field twice");
        assertThat(reasonOf(validator.check(raw + "&hash=" + "0".repeat(64), BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check("auth_date=1&auth_date=1&" + raw, BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withAUserThatIsNoObject_isMalformed() {
        for (String user : List.of("[{\"id\":1}]", "\"{\\\"id\\\":1}\"", "null", "7", "", "{\"id\":1", "{\"id\":1} {}",
                "{\"id\":1,\"id\":2}")) {
            Map<String, String> fields = fields();
            fields.put("user", user);

            assertThat(reasonOf(validator.check(signed(fields), BOT))).as(user).isEqualTo(Reason.MALFORMED);
        }
        Map<String, String> fields = fields();
        fields.remove("user");
        assertThat(reasonOf(validator.check(signed(fields), BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withAUserIdThatIsNoPositiveInteger_isMalformed() {
        for (String id : List.of("1.5", "12.0", "1e3", "\"12\"", "0", "-5", "9223372036854775808", "true", "null",
                "{}")) {
            Map<String, String> fields = fields();
            fields.put("user", "{\"id\":" + id + ",\"first_name\":\"A\"}");

            InitDataCheck check = validator.check(signed(fields), BOT);
            assertThat(reasonOf(check)).as(id).isEqualTo(Reason.MALFORMED);
            assertThat(((Invalid) check).message()).isEqualTo("the user id of init data is not a whole number above 0");
        }
        Map<String, String> fields = fields();
        fields.put("user", "{\"first_name\":\"A\"}");
        assertThat(reasonOf(validator.check(signed(fields), BOT))).isEqualTo(Reason.MALFORMED);
        fields.put("user", "{\"id\":9223372036854775807}");
        assertThat(dataOf(validator.check(signed(fields), BOT)).userId()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void check_withHugeInput_isMalformedUpToTheLimitOnly() {
        Map<String, String> fields = fields();
        fields.put("padding", "");
        int room = InitDataValidator.MAX_LENGTH - signed(fields).length();
        fields.put("padding", "x".repeat(room));
        String atTheLimit = signed(fields);

        assertThat(atTheLimit).hasSize(InitDataValidator.MAX_LENGTH);
        assertThat(validator.check(atTheLimit, BOT)).isInstanceOf(Valid.class);
        fields.put("padding", "x".repeat(room + 1));
        InitDataCheck check = validator.check(signed(fields), BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.MALFORMED);
        assertThat(((Invalid) check).message()).isEqualTo("init data is longer than 8192 characters");
        assertThat(reasonOf(validator.check("a=".repeat(1_000_000), BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withDeeplyNestedSignedJson_isMalformed() {
        Map<String, String> fields = fields();
        fields.put("user", "{\"id\":1,\"x\":" + "[".repeat(1200) + "]".repeat(1200) + "}");

        String raw = signed(fields);

        assertThat(raw.length()).isLessThanOrEqualTo(InitDataValidator.MAX_LENGTH);
        InitDataCheck check = validator.check(raw, BOT);
        assertThat(reasonOf(check)).isEqualTo(Reason.MALFORMED);
        assertThat(((Invalid) check).message()).isEqualTo("the user of init data is not JSON");
    }

    @Test
    void check_withBadEncoding_isMalformed() {
        String raw = signed(fields());
        for (String bad : List.of("%zz", "%4", "%", "%C3%28", "%ED%A0%80", "%FF", "%٣٣", "\uD800")) {
            assertThat(reasonOf(validator.check(raw + "&x=" + bad, BOT))).as(bad).isEqualTo(Reason.MALFORMED);
            assertThat(reasonOf(validator.check(bad + "=1&" + raw, BOT))).as(bad).isEqualTo(Reason.MALFORMED);
        }
        assertThat(reasonOf(validator.check("=1&" + raw, BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check(raw + "&x=a%0Ab", BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withNothing_isMalformed() {
        assertThat(reasonOf(validator.check(null, BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check("", BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check("&&&", BOT))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(validator.check("hash", BOT))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void check_withRandomlyMangledInput_neverThrowsAndExplainsInOneLine() {
        String raw = signed(fields());
        Random random = new Random(42);
        String alphabet = "=&%+;\n\r\t\"{}[]:,.-0123456789abcdefABCDEF xyz\u00e9\uD83D\uDE80\uD800\u0000";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder mangled = new StringBuilder(raw);
            int edits = 1 + random.nextInt(6);
            for (int edit = 0; edit < edits; edit++) {
                int at = random.nextInt(mangled.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> mangled.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> {
                        if (at < mangled.length()) {
                            mangled.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < mangled.length()) {
                            mangled.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        }
                    }
                }
            }
            String input = mangled.toString();
            assertThatCode(() -> {
                InitDataCheck check = validator.check(input, BOT);
                if (check instanceof Invalid invalid) {
                    assertThat(invalid.message()).isNotBlank().doesNotContain("\n", "\r", BOT.value());
                }
            }).as(input).doesNotThrowAnyException();
        }
    }

    // ----- what the result shows -----

    @Test
    void toString_ofTheData_showsNeitherHashNorPersonalData() {
        WebAppInitData data = dataOf(validator.check(signed(fields()), BOT));

        assertThat(data.toString()).contains("1234567", "279058397")
                .doesNotContain(data.hash(), "vdkfrost", "Kibenko", BOT.value());
    }

    @Test
    void fields_ofTheData_cannotBeChanged() {
        WebAppInitData data = dataOf(validator.check(signed(fields()), BOT));

        assertThatCode(() -> data.fields().put("user", "{}")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void constructor_withNoPositiveMaxAge_refuses() {
        assertThatCode(() -> new InitDataValidator(Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> new InitDataValidator(Duration.ofSeconds(-1), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

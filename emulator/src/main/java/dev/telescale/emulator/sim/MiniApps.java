package dev.telescale.emulator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.emulator.api.ApiCall;
import dev.telescale.emulator.api.BotApiException;
import dev.telescale.emulator.api.Conversations;
import dev.telescale.emulator.api.Json;
import dev.telescale.emulator.api.MethodRegistry;
import dev.telescale.emulator.api.ReplyMarkup;
import dev.telescale.emulator.api.TextEntities;
import dev.telescale.emulator.state.Bot;
import dev.telescale.emulator.state.BotChat;
import dev.telescale.emulator.state.EmulatorState;
import dev.telescale.emulator.state.SimUser;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mini Apps (Web Apps) as Telegram runs them: the signed initData a client hands a Mini App when
 * a user opens it, the launch URL that carries it, and answerWebAppQuery, by which the bot answers
 * the session with a message sent on the user's behalf.
 *
 * <p>initData is a query string of {@code query_id} (18 random bytes, base64url: each launch is a
 * new session), {@code user} (the WebAppUser as JSON, slashes escaped as Telegram's servers write
 * them), {@code chat_instance} and {@code chat_type} when opened from a button in a chat,
 * {@code start_param} when given, {@code auth_date} (the emulator's clock), {@code signature} and
 * {@code hash}; values percent-encoded (everything but A-Z a-z 0-9 - . _ ~, UTF-8). The two proofs
 * are those of core.telegram.org/bots/webapps:
 * <ul>
 *   <li>{@code hash} = hex(HMAC-SHA256(key = HMAC-SHA256(key = "WebAppData", message = bot token),
 *   message = data-check-string)), the data-check-string being every field but {@code hash},
 *   {@code signature} included, sorted by key, {@code key=value} (decoded) joined by "\n";</li>
 *   <li>{@code signature} = base64url without padding of Ed25519 over
 *   {@code "<bot_id>:WebAppData\n"} + the data-check-string without {@code hash} and
 *   {@code signature}, by a key pair made when the emulator starts (its public key, hex, at
 *   {@code GET /sim/webapp/public-key}; Telegram publishes its own).</li>
 * </ul>
 * The signature is computed first, since the hash covers it.
 *
 * <p>The launch URL is the Mini App's URL with Telegram's hash parameters appended, as Telegram's
 * web clients open the frame and telegram-web-app.js reads them: {@code #tgWebAppData=<initData,
 * encoded again>&tgWebAppVersion=8.0&tgWebAppPlatform=web&tgWebAppThemeParams=<theme JSON>}. A URL
 * that has a fragment keeps it: the parameters follow it after {@code ?} (or {@code &} when it
 * has a query already), the form telegram-web-app.js parses.
 *
 * <p>Thread-safe: every launch registers its query id in a concurrent map, and answerWebAppQuery
 * claims it with {@code remove}, so a session is answered at most once.
 */
public final class MiniApps {
    /** The Mini App API version the emulated client announces. */
    public static final String WEB_APP_VERSION = "8.0";
    /** The platform the emulated client announces: Telegram Web's. */
    public static final String WEB_APP_PLATFORM = "web";
    /** X.509 prefix of an Ed25519 public key: the raw 32 bytes follow it. */
    private static final int X509_ED25519_PREFIX_BYTES = 12;
    /** Inline query result types the real server knows; the emulator answers with those that carry text. */
    private static final Set<String> RESULT_TYPES = Set.of("article", "audio", "contact", "game", "document", "gif",
            "location", "mpeg4_gif", "photo", "venue", "video", "voice", "sticker");
    private static final String QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid";

    /** One launch: who opened which bot's Mini App; answerable once. */
    private record Session(String queryId, long botId, long userId) {
    }

    private final EmulatorState state;
    private final SecureRandom random = new SecureRandom();
    private final KeyPair keys;
    private final String publicKeyHex;
    private final String themeParams;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public MiniApps(EmulatorState state) {
        this.state = state;
        try {
            this.keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519, which Java 15 and later always have", e);
        }
        byte[] encoded = keys.getPublic().getEncoded();
        byte[] raw = new byte[encoded.length - X509_ED25519_PREFIX_BYTES];
        System.arraycopy(encoded, X509_ED25519_PREFIX_BYTES, raw, 0, raw.length);
        this.publicKeyHex = HexFormat.of().formatHex(raw);
        this.themeParams = Json.text(theme());
    }

    /** The Ed25519 public key that verifies every {@code signature} this emulator issues: 32 bytes, hex. */
    public String publicKeyHex() {
        return publicKeyHex;
    }

    /**
     * Opens the Mini App at {@code url} for the user: a new session (query id) of the bot, and its
     * signed initData. {@code chat} is the chat whose button opened it (adds chat_type and
     * chat_instance), or null; {@code startParam} may be null.
     */
    public WebAppLaunch launch(SimUser user, Bot bot, String url, BotChat chat, String startParam) {
        byte[] id = new byte[18];
        random.nextBytes(id);
        String queryId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("query_id", queryId);
        fields.put("user", webAppUser(user));
        if (chat != null) {
            fields.put("chat_instance", Simulator.chatInstance(chat.chatId(), bot.id()));
            fields.put("chat_type", "sender");
        }
        if (startParam != null) {
            fields.put("start_param", startParam);
        }
        fields.put("auth_date", Long.toString(state.clock().millis() / 1000));
        fields.put("signature", sign(bot.id() + ":WebAppData\n" + dataCheckString(fields)));
        fields.put("hash", HexFormat.of().formatHex(hmac(hmac("WebAppData".getBytes(StandardCharsets.UTF_8),
                bot.token()), dataCheckString(fields))));
        StringBuilder initData = new StringBuilder();
        fields.forEach((key, value) -> initData.append(initData.isEmpty() ? "" : "&").append(key).append('=')
                .append(percentEncode(value)));
        sessions.put(queryId, new Session(queryId, bot.id(), user.id()));
        return new WebAppLaunch(url, initData.toString(), launchUrl(url, initData.toString()), queryId);
    }

    /** The URL a client opens: the Mini App's own with Telegram's launch parameters in the fragment. */
    private String launchUrl(String url, String initData) {
        String parameters = "tgWebAppData=" + percentEncode(initData) + "&tgWebAppVersion=" + WEB_APP_VERSION
                + "&tgWebAppPlatform=" + WEB_APP_PLATFORM + "&tgWebAppThemeParams=" + percentEncode(themeParams);
        int hash = url.indexOf('#');
        if (hash < 0) {
            return url + "#" + parameters;
        }
        String fragment = url.substring(hash + 1);
        return url + (fragment.isEmpty() ? "" : fragment.contains("?") ? "&" : "?") + parameters;
    }

    /** The WebAppUser JSON: the User object without is_bot, plus allows_write_to_pm, slashes escaped. */
    private static String webAppUser(SimUser user) {
        ObjectNode json = user.userJson();
        json.remove("is_bot");
        json.put("allows_write_to_pm", true);
        return Json.text(json).replace("/", "\\/");
    }

    /** Every field, sorted by key, as key=value lines (the values decoded). */
    private static String dataCheckString(Map<String, String> fields) {
        StringBuilder lines = new StringBuilder();
        new TreeMap<>(fields).forEach((key, value) -> lines.append(lines.isEmpty() ? "" : "\n").append(key)
                .append('=').append(value));
        return lines.toString();
    }

    private String sign(String text) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
    }

    /** Percent-encoding of UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay as they are (a space is %20). */
    static String percentEncode(String value) {
        StringBuilder out = new StringBuilder(value.length() * 3 / 2);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Telegram Web's day theme, as tgWebAppThemeParams carries it. */
    private static ObjectNode theme() {
        ObjectNode theme = Json.object();
        theme.put("bg_color", "#ffffff");
        theme.put("text_color", "#000000");
        theme.put("hint_color", "#707579");
        theme.put("link_color", "#3390ec");
        theme.put("button_color", "#3390ec");
        theme.put("button_text_color", "#ffffff");
        theme.put("secondary_bg_color", "#f4f4f5");
        theme.put("header_bg_color", "#ffffff");
        theme.put("accent_text_color", "#3390ec");
        theme.put("section_bg_color", "#ffffff");
        theme.put("section_header_text_color", "#3390ec");
        theme.put("subtitle_text_color", "#707579");
        theme.put("destructive_text_color", "#e53935");
        theme.put("bottom_bar_bg_color", "#ffffff");
        theme.put("section_separator_color", "#e7e7e7");
        return theme;
    }

    // ---- answerWebAppQuery ----

    /** Registers answerWebAppQuery. */
    public void registerMethods(MethodRegistry registry, Conversations conversations) {
        registry.add("answerWebAppQuery", call -> answerWebAppQuery(call, conversations));
    }

    /**
     * Sends the result as a message from the user, via the bot, into their private chat with it
     * (the chat the Mini App was opened from), and answers a SentWebAppMessage. The result is
     * checked before the query id, as the real server does.
     */
    private JsonNode answerWebAppQuery(ApiCall call, Conversations conversations) {
        ResultMessage content = resultMessage(call);
        String id = call.arg("web_app_query_id");
        Session session = id == null ? null : sessions.get(id);
        if (session == null || session.botId() != call.bot().id() || !sessions.remove(id, session)) {
            throw BotApiException.badRequest(QUERY_INVALID);
        }
        Bot bot = call.bot();
        SimUser user = state.user(session.userId());
        BotChat chat = bot.chat(user.id(), cid -> user.privateChatJson());
        ObjectNode message = Json.object();
        message.put("message_id", chat.nextMessageId());
        message.set("from", user.userJson());
        message.set("chat", chat.chatJson());
        message.put("date", state.clock().millis() / 1000);
        message.put("text", content.text().text());
        if (!content.text().entities().isEmpty()) {
            message.set("entities", content.text().entities());
        }
        message.set("via_bot", bot.userJson());
        if (content.inlineKeyboard() != null) {
            message.set("reply_markup", content.inlineKeyboard());
        }
        conversations.deliver(bot, chat, message, false);
        ObjectNode sent = Json.object();
        if (content.inlineKeyboard() != null) {
            byte[] inlineId = new byte[24];
            random.nextBytes(inlineId);
            sent.put("inline_message_id", Base64.getUrlEncoder().withoutPadding().encodeToString(inlineId));
        }
        return sent;
    }

    /** The text message an InlineQueryResult sends, and its inline keyboard (or null). */
    private record ResultMessage(TextEntities.Parsed text, JsonNode inlineKeyboard) {
    }

    /**
     * The result argument read as the real server reads an InlineQueryResult (its error words);
     * the emulator then needs the message to be text: an article, or any result whose
     * input_message_content has message_text.
     */
    private ResultMessage resultMessage(ApiCall call) {
        String raw = call.arg("result");
        if (raw == null) {
            throw BotApiException.badRequest("result isn't specified");
        }
        JsonNode result = Json.parseOrNull(raw);
        if (result == null) {
            throw BotApiException.badRequest("can't parse JSON encoded web view query results");
        }
        if (!result.isObject()) {
            throw BotApiException.badRequest("inline query result must be an object");
        }
        String type = requiredString(result, "type").toLowerCase(Locale.ROOT);
        requiredString(result, "id");
        JsonNode content = result.get("input_message_content");
        if (content != null && !content.isNull() && !content.isObject()) {
            throw BotApiException.badRequest("field \"input_message_content\" must be of type Object");
        }
        TextEntities.Parsed text = null;
        if (content == null || content.isNull()) {
            // the legacy form: message_text on the result itself, required for an article
            String messageText = type.equals("article") ? requiredString(result, "message_text")
                    : result.path("message_text").asText("");
            if (!messageText.isEmpty()) {
                text = parsedText(messageText, result);
            }
        } else if (!content.path("message_text").asText("").isEmpty()) {
            text = parsedText(content.get("message_text").asText(), content);
        }
        JsonNode markup = result.get("reply_markup");
        JsonNode inlineKeyboard = null;
        if (markup != null && !markup.isNull()) {
            if (!markup.isObject()) {
                throw BotApiException.badRequest("field \"reply_markup\" must be of type Object");
            }
            if (!markup.has("inline_keyboard")) {
                throw BotApiException.badRequest("inline keyboard expected");
            }
            // the message goes to the user's private chat with the bot, where Web App buttons are allowed
            inlineKeyboard = ReplyMarkup.parseMarkup(markup, true);
        }
        if (type.equals("article")) {
            requiredString(result, "title");
        } else if (!RESULT_TYPES.contains(type)) {
            throw BotApiException.badRequest("type \"" + type + "\" is unsupported for the inline query result");
        }
        if (text == null) {
            throw BotApiException.badRequest("the emulator answers web app queries with text only: send an "
                    + "article or an input_message_content with message_text");
        }
        return new ResultMessage(text, inlineKeyboard);
    }

    private static TextEntities.Parsed parsedText(String text, JsonNode holder) {
        JsonNode entities = holder.get("entities");
        TextEntities.Parsed parsed = TextEntities.parse(text, holder.path("parse_mode").asText(null),
                entities == null || entities.isNull() ? null : entities);
        if (parsed.text().isBlank()) {
            throw BotApiException.badRequest("message text is empty");
        }
        return parsed;
    }

    private static String requiredString(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw BotApiException.badRequest("can't find field \"" + field + "\"");
        }
        if (!value.isTextual()) {
            throw BotApiException.badRequest("field \"" + field + "\" must be of type String");
        }
        return value.asText();
    }
}

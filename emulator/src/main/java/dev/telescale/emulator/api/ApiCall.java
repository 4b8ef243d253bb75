package dev.telescale.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.telescale.emulator.state.Bot;
import java.util.Map;

/**
 * One Bot API request after transport decoding. As in the real server, every argument is a
 * string whatever the transport (query string, form, multipart or JSON body; nested JSON values
 * arrive re-serialised), and typed access happens here with the real server's error strings.
 * Immutable; used by one request thread.
 */
public final class ApiCall {
    /** A file sent with multipart/form-data. */
    public record Upload(String fileName, String contentType, byte[] bytes) {
    }

    private final Bot bot;
    private final String method;
    private final Map<String, String> args;
    private final Map<String, Upload> uploads;

    public ApiCall(Bot bot, String method, Map<String, String> args, Map<String, Upload> uploads) {
        this.bot = bot;
        this.method = method;
        this.args = args;
        this.uploads = uploads;
    }

    public Bot bot() {
        return bot;
    }

    /** The method name in lower case. */
    public String method() {
        return method;
    }

    public Map<String, String> args() {
        return args;
    }

    /** The argument, or null when it is absent or empty (the real server treats both alike). */
    public String arg(String name) {
        String value = args.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public boolean has(String name) {
        return arg(name) != null;
    }

    public String arg(String name, String fallback) {
        String value = arg(name);
        return value == null ? fallback : value;
    }

    /** A required argument; a missing one fails with "Bad Request: {name} is empty"-style text. */
    public String required(String name, String missingDescription) {
        String value = arg(name);
        if (value == null) {
            throw BotApiException.badRequest(missingDescription);
        }
        return value;
    }

    public long longArg(String name, long fallback) {
        String value = arg(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw BotApiException.badRequest("invalid " + name + " specified");
        }
    }

    public int intArg(String name, int fallback) {
        long value = longArg(name, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw BotApiException.badRequest("invalid " + name + " specified");
        }
        return (int) value;
    }

    public boolean boolArg(String name) {
        String value = arg(name);
        if (value == null) {
            return false;
        }
        return value.equals("true") || value.equals("1") || value.equalsIgnoreCase("True");
    }

    /** A JSON-valued argument (reply_markup, entities, media ...); null when absent. */
    public JsonNode jsonArg(String name, String unparsableDescription) {
        String value = arg(name);
        if (value == null) {
            return null;
        }
        JsonNode node = Json.parseOrNull(value);
        if (node == null) {
            throw BotApiException.badRequest(unparsableDescription);
        }
        return node;
    }

    /** A multipart file by its form field name, or null. */
    public Upload upload(String fieldName) {
        return uploads.get(fieldName);
    }

    public Map<String, Upload> uploads() {
        return uploads;
    }
}

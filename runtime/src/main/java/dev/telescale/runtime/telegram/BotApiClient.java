package dev.telescale.runtime.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.telescale.runtime.bot.BotToken;
import dev.telescale.runtime.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bot API over HTTP: one {@link HttpClient} (HTTP/1.1, virtual threads, keep-alive pool)
 * shared by every bot of the process. Calls block the calling (virtual) thread.
 *
 * <p>Every answer is classified into an {@link ApiResult}, never thrown: JSON envelopes by their
 * {@code error_code}, anything else (the nginx 502 page, an empty body, a reset connection, a
 * timeout) as {@link ApiResult.Transient}. The raw token appears only in request URIs; logs and
 * reasons use {@link BotToken#redacted()}.
 *
 * <p>Thread-safe and stateless apart from the HTTP client; close it to release the connection pool.
 */
public final class BotApiClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BotApiClient.class);
    private static final ObjectMapper JSON = Json.newMapper();
    private static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_REASON_CHARS = 200;

    private final String baseUrl;
    private final Duration requestTimeout;
    private final ExecutorService executor;
    private final HttpClient http;

    /**
     * @param baseUrl        {@code https://api.telegram.org} or an emulator's base URL (a trailing slash is dropped)
     * @param requestTimeout how long one call may take from sending to the complete answer
     */
    public BotApiClient(String baseUrl, Duration requestTimeout) {
        this(baseUrl, requestTimeout, DEFAULT_CONNECT_TIMEOUT.compareTo(requestTimeout) < 0
                ? DEFAULT_CONNECT_TIMEOUT : requestTimeout);
    }

    public BotApiClient(String baseUrl, Duration requestTimeout, Duration connectTimeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** POSTs {@code params} as JSON to {@code /bot<token>/<method>}. */
    public ApiResult call(BotToken token, String method, ObjectNode params) {
        return call(token, method, params, requestTimeout);
    }

    /**
     * As {@link #call(BotToken, String, ObjectNode)} with another timeout, for long polls:
     * getUpdates with {@code timeout=50} needs more than 50 s.
     */
    public ApiResult call(BotToken token, String method, ObjectNode params, Duration timeoutOverride) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(params == null ? JSON.createObjectNode() : params);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("parameters cannot be written as JSON", e);
        }
        HttpRequest request = HttpRequest.newBuilder(methodUri(token, method))
                .timeout(timeoutOverride)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return send(token, method, request);
    }

    /**
     * POSTs {@code params} and {@code files} as multipart/form-data: every parameter is a text
     * part (strings as they are, other JSON values as JSON text), every file a file part named
     * by its map key (or referenced as {@code attach://<key>} from a parameter).
     */
    public ApiResult callMultipart(BotToken token, String method, ObjectNode params, Map<String, FilePart> files) {
        Multipart multipart = Multipart.build(params == null ? JSON.createObjectNode() : params, files);
        HttpRequest request = HttpRequest.newBuilder(methodUri(token, method))
                .timeout(requestTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + multipart.boundary())
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart.body()))
                .build();
        return send(token, method, request);
    }

    /**
     * Downloads a file by the {@code file_path} getFile returned: GET {@code /file/bot<token>/<path>}.
     *
     * @throws TelegramException on any status but 200, a network error or a timeout
     */
    public byte[] download(BotToken token, String filePath) {
        Objects.requireNonNull(filePath, "filePath");
        if (filePath.isEmpty() || filePath.startsWith("/") || filePath.contains("..")) {
            throw new IllegalArgumentException("not a file_path from getFile: " + filePath);
        }
        StringBuilder path = new StringBuilder();
        for (String segment : filePath.split("/", -1)) {
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/file/bot" + token.value() + "/" + path))
                .timeout(requestTimeout)
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TelegramException("download of " + filePath + " for bot " + token.redacted() + " failed: "
                    + describe(e, token), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException("download of " + filePath + " for bot " + token.redacted() + " interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new TelegramException("download of " + filePath + " for bot " + token.redacted() + " failed: HTTP "
                    + response.statusCode() + " " + snippet(response.body()), response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() {
        http.close();
        executor.close();
    }

    private URI methodUri(BotToken token, String method) {
        if (method == null || !METHOD_NAME.matcher(method).matches()) {
            throw new IllegalArgumentException("not a Bot API method name: " + method);
        }
        return URI.create(baseUrl + "/bot" + token.value() + "/" + method);
    }

    private ApiResult send(BotToken token, String method, HttpRequest request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            log.debug("{} for bot {} timed out", method, token.redacted());
            return new ApiResult.Transient("timeout: " + describe(e, token));
        } catch (IOException e) {
            log.debug("{} for bot {} failed: {}", method, token.redacted(), describe(e, token));
            return new ApiResult.Transient("network: " + describe(e, token));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ApiResult.Transient("interrupted");
        }
        ApiResult result = classify(response.statusCode(), retryAfterHeader(response), response.body());
        if (!(result instanceof ApiResult.Ok)) {
            log.debug("{} for bot {}: {}", method, token.redacted(), result);
        }
        return result;
    }

    private static OptionalInt retryAfterHeader(HttpResponse<?> response) {
        Optional<String> value = response.headers().firstValue("Retry-After");
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Maps an HTTP answer to a result. Package-private for tests of odd answers.
     *
     * @param retryAfterHeader the Retry-After header, used when a 429 body lacks {@code retry_after}
     */
    static ApiResult classify(int status, OptionalInt retryAfterHeader, byte[] body) {
        JsonNode envelope = parseEnvelope(body);
        if (envelope == null) {
            if (status == 429) {
                return new ApiResult.RetryAfter(Math.max(1, retryAfterHeader.orElse(1)), "HTTP 429 " + snippet(body));
            }
            return new ApiResult.Transient("HTTP " + status + " without a Bot API answer: " + snippet(body));
        }
        if (envelope.path("ok").asBoolean(false)) {
            JsonNode result = envelope.get("result");
            return new ApiResult.Ok(result == null ? NullNode.getInstance() : result);
        }
        int code = envelope.path("error_code").asInt(status);
        String description = envelope.path("description").asText("");
        if (code == 429 || status == 429) {
            int seconds = envelope.path("parameters").path("retry_after").asInt(retryAfterHeader.orElse(1));
            return new ApiResult.RetryAfter(Math.max(1, seconds), description);
        }
        if (code == 403) {
            return new ApiResult.Unreachable(code, description, ApiResult.Unreachable.Reason.parse(description));
        }
        if (code >= 500 || status >= 500) {
            return new ApiResult.Transient("HTTP " + code + ": " + description);
        }
        if (code < 400) {
            // "ok":false with a success code is not a valid envelope; do not drop the message for it
            return new ApiResult.Transient("HTTP " + status + " with error_code " + code + ": " + description);
        }
        return new ApiResult.Rejected(code, description);
    }

    /** The Bot API envelope (a JSON object with "ok"), or null for HTML pages, empty and broken bodies. */
    private static JsonNode parseEnvelope(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        int first = 0;
        while (first < body.length && Character.isWhitespace(body[first])) {
            first++;
        }
        if (first == body.length || body[first] != '{') {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() && node.has("ok") ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The start of a body for messages: the HTML title when there is one, else the first characters. */
    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "(empty body)";
        }
        String text = new String(body, 0, Math.min(body.length, 2_000), StandardCharsets.UTF_8);
        int title = text.indexOf("<title>");
        int titleEnd = text.indexOf("</title>");
        if (title >= 0 && titleEnd > title) {
            return "<title>" + text.substring(title + 7, titleEnd).trim() + "</title>";
        }
        text = text.replaceAll("\\s+", " ").trim();
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "…" : text;
    }

    /** An exception as text, with the raw token (should an URI ever appear in it) replaced. */
    private static String describe(Exception e, BotToken token) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        return (e.getClass().getSimpleName() + message).replace(token.value(), token.redacted());
    }

    /** A multipart/form-data body (RFC 7578) with a boundary that occurs in none of the parts. */
    private record Multipart(String boundary, byte[] body) {
        static Multipart build(ObjectNode params, Map<String, FilePart> files) {
            while (true) {
                String boundary = "TelescaleBoundary" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                        + Long.toHexString(ThreadLocalRandom.current().nextLong());
                byte[] body = write(boundary, params, files);
                if (occurrences(body, ("--" + boundary).getBytes(StandardCharsets.US_ASCII))
                        == params.size() + files.size() + 1) {
                    return new Multipart(boundary, body);
                }
                // the random boundary occurred inside some content: astronomically rare, pick another
            }
        }

        private static byte[] write(String boundary, ObjectNode params, Map<String, FilePart> files) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            params.properties().forEach(field -> {
                JsonNode value = field.getValue();
                String text = value.isTextual() ? value.textValue() : value.toString();
                ascii(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + escape(field.getKey())
                        + "\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
                ascii(out, "\r\n");
            });
            files.forEach((name, file) -> {
                ascii(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + escape(name)
                        + "\"; filename=\"" + escape(file.fileName()) + "\"\r\nContent-Type: "
                        + file.contentType().replaceAll("[\r\n]", "") + "\r\n\r\n");
                out.writeBytes(file.bytes());
                ascii(out, "\r\n");
            });
            ascii(out, "--" + boundary + "--\r\n");
            return out.toByteArray();
        }

        /** Names and file names as browsers send them: UTF-8, with '"' and line breaks percent-encoded. */
        private static String escape(String value) {
            return value.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
        }

        private static void ascii(ByteArrayOutputStream out, String text) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        }

        private static int occurrences(byte[] haystack, byte[] needle) {
            int count = 0;
            outer:
            for (int i = 0; i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                count++;
                i += needle.length - 1;
            }
            return count;
        }
    }
}

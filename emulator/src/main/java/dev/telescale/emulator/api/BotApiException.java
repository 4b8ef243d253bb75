package dev.telescale.emulator.api;

/**
 * An error answer of the Bot API: the HTTP status equals {@code error_code}, and the
 * {@code description} is the exact string the real server sends. Thrown by method handlers,
 * flood control and fault injection; turned into {@code {"ok":false,...}} by the HTTP layer.
 */
public final class BotApiException extends RuntimeException {
    private final int errorCode;
    private final String description;
    private final Integer retryAfter;

    private BotApiException(int errorCode, String description, Integer retryAfter) {
        super(description, null, false, false);
        this.errorCode = errorCode;
        this.description = description;
        this.retryAfter = retryAfter;
    }

    public static BotApiException of(int errorCode, String description) {
        return new BotApiException(errorCode, description, null);
    }

    /** 400 "Bad Request: {detail}". */
    public static BotApiException badRequest(String detail) {
        return new BotApiException(400, "Bad Request: " + detail, null);
    }

    /** 403 "Forbidden: {detail}". */
    public static BotApiException forbidden(String detail) {
        return new BotApiException(403, "Forbidden: " + detail, null);
    }

    /** 409 "Conflict: {detail}". */
    public static BotApiException conflict(String detail) {
        return new BotApiException(409, "Conflict: " + detail, null);
    }

    /** 429 with {@code parameters.retry_after} and a {@code Retry-After} header. */
    public static BotApiException tooManyRequests(int retryAfterSeconds) {
        int seconds = Math.max(1, retryAfterSeconds);
        return new BotApiException(429, "Too Many Requests: retry after " + seconds, seconds);
    }

    public static BotApiException unauthorized() {
        return new BotApiException(401, "Unauthorized", null);
    }

    public static BotApiException invalidToken() {
        return new BotApiException(401, "Unauthorized: invalid token specified", null);
    }

    public static BotApiException methodNotFound() {
        return new BotApiException(404, "Not Found: method not found", null);
    }

    public static BotApiException notFound() {
        return new BotApiException(404, "Not Found", null);
    }

    public static BotApiException chatNotFound() {
        return badRequest("chat not found");
    }

    public static BotApiException wrongFileIdentifier() {
        return badRequest("wrong file identifier/HTTP URL specified");
    }

    public int errorCode() {
        return errorCode;
    }

    public String description() {
        return description;
    }

    /** Seconds to wait, for 429 answers; null otherwise. */
    public Integer retryAfter() {
        return retryAfter;
    }
}
